import { createServer, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A custom REST API (the Custom provider's `baseUrl`, bearer auth) that holds the first request bearing each token
 * until the test answers it, and answers the later ones (a test's second call) alike; a token answered before its
 * first request is never held. The test decides when each provider answer arrives, so the interleaving of a test
 * with other requests is the same on every run.
 */
export class HeldApi {
  private readonly server: Server;
  private readonly answers = new Map<string, number>();
  private readonly held = new Map<string, ServerResponse>();
  private readonly arrivals = new Map<string, () => void>();

  constructor() {
    this.server = createServer((request, response) => {
      const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
      const answer = this.answers.get(token);
      if (answer !== undefined) return void response.writeHead(answer).end();
      this.held.set(token, response);
      this.arrivals.get(token)?.();
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Resolves once a request bearing `token` is held. */
  arrived(token: string): Promise<void> {
    return this.held.has(token) ? Promise.resolve() : new Promise((resolve) => this.arrivals.set(token, resolve));
  }

  answer(token: string, status: number): void {
    this.answers.set(token, status);
    this.held.get(token)?.writeHead(status).end();
  }

  /** Answers what a failed run left waiting, and what comes after, so the service can stop. */
  release(): void {
    for (const token of this.held.keys()) if (!this.answers.has(token)) this.answer(token, 404);
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
