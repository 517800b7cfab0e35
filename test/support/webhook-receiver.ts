import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  path: string;
  headers: Record<string, string>;
  body: string;
  receivedAt: number;
}

/** How the receiver answers one request; the default answers 200 at once. */
export type Responder = (request: ReceivedRequest, response: ServerResponse) => void;

export const answer =
  (status: number, headers: Record<string, string> = {}, body = ''): Responder =>
  (_, response) => {
    response.writeHead(status, headers).end(body);
  };

/**
 * A webhook endpoint for tests: a node:http server on 127.0.0.1 that records every request (raw body and
 * headers, for signature checks) and answers as the test says, per path.
 */
export class WebhookReceiver {
  readonly requests: ReceivedRequest[] = [];
  private readonly responders = new Map<string, Responder>();
  private readonly sockets = new Set<import('node:net').Socket>();
  private server!: Server;
  url!: string;

  static async start(): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver();
    receiver.server = createServer((req, res) => receiver.handle(req, res));
    receiver.server.on('connection', (socket) => {
      receiver.sockets.add(socket);
      socket.on('close', () => receiver.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    receiver.url = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}`;
    return receiver;
  }

  /** Answers requests to `path` with `responder` from now on. */
  on(path: string, responder: Responder): void {
    this.responders.set(path, responder);
  }

  at(path: string): ReceivedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  /** Requests to `path` carrying an event (the verification request excluded). */
  events(path: string): ReceivedRequest[] {
    return this.at(path).filter((r) => !r.body.includes('"type":"WebhookVerification"'));
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: ReceivedRequest = {
        path: req.url ?? '/',
        headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)])),
        body: Buffer.concat(chunks).toString('utf8'),
        receivedAt: Date.now(),
      };
      this.requests.push(request);
      (this.responders.get(request.path) ?? answer(200))(request, res);
    });
  }
}
