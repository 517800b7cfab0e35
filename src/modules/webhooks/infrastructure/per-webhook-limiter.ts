/**
 * Requests in flight per webhook in this worker. A delivery waits a short while for a slot; a webhook that
 * keeps its slots that long is slow, and its delivery goes back to the queue (WebhookBusyError) rather than
 * holding one of the worker's slots that other webhooks' deliveries need.
 */
export class PerWebhookLimiter {
  private readonly active = new Map<string, number>();
  private readonly waiters = new Map<string, Array<() => void>>();

  constructor(
    private readonly limit: number,
    private readonly maxWaitMs: number,
  ) {}

  /** A release function, or null when no slot freed within `maxWaitMs`. */
  async acquire(webhookId: string): Promise<(() => void) | null> {
    if ((this.active.get(webhookId) ?? 0) >= this.limit) {
      const granted = await new Promise<boolean>((resolve) => {
        const queue = this.waiters.get(webhookId) ?? [];
        const wake = () => {
          clearTimeout(timer);
          resolve(true);
        };
        const timer = setTimeout(() => {
          const index = queue.indexOf(wake);
          if (index >= 0) queue.splice(index, 1);
          resolve(false);
        }, this.maxWaitMs);
        queue.push(wake);
        this.waiters.set(webhookId, queue);
      });
      if (!granted) return null;
    } else {
      this.active.set(webhookId, (this.active.get(webhookId) ?? 0) + 1);
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.release(webhookId);
    };
  }

  inFlight(webhookId: string): number {
    return this.active.get(webhookId) ?? 0;
  }

  /** Hands the slot straight to the next waiter, or frees it. */
  private release(webhookId: string): void {
    const next = this.waiters.get(webhookId)?.shift();
    if (next) return next();
    if (this.waiters.get(webhookId)?.length === 0) this.waiters.delete(webhookId);
    const count = (this.active.get(webhookId) ?? 1) - 1;
    if (count <= 0) this.active.delete(webhookId);
    else this.active.set(webhookId, count);
  }
}
