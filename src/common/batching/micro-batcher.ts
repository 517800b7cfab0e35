/**
 * Gathers items handed in one by one by concurrent callers and processes them together: one SQL statement
 * or one Redis round trip for many. `add()` resolves with the item's own result once its batch has run, or
 * rejects with the batch's error, so a caller still learns whether *its* item was written (a Bull job must not
 * complete before its delivery status is committed). A batch runs when `maxItems` are waiting or `maxWaitMs`
 * after its first item, whichever comes first; batches run one at a time, in order.
 */
export class MicroBatcher<I, O> {
  private waiting: Array<{ item: I; resolve: (value: O) => void; reject: (error: unknown) => void }> = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();

  constructor(
    /** Returns one result per item, in the order given. */
    private readonly run: (items: I[]) => Promise<O[]>,
    private readonly maxItems: number,
    private readonly maxWaitMs: number,
  ) {}

  add(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ item, resolve, reject });
      if (this.waiting.length >= this.maxItems) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.maxWaitMs);
    });
  }

  /** Runs what is waiting now; resolves when every batch started so far has finished. */
  drain(): Promise<void> {
    if (this.waiting.length) this.flush();
    return this.running;
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.waiting;
    this.waiting = [];
    if (!batch.length) return;
    this.running = this.running.then(async () => {
      try {
        const results = await this.run(batch.map((entry) => entry.item));
        batch.forEach((entry, index) => entry.resolve(results[index]));
      } catch (error) {
        for (const entry of batch) entry.reject(error);
      }
    });
  }
}
