import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';

export interface FakeRecord {
  id?: string;
  updatedAt: string;
  [field: string]: unknown;
}

/**
 * A REST source for data sync tests on 127.0.0.1: GET /health, and GET /contacts with cursor pagination
 * (`limit`, `cursor` = offset, `updatedSince`: strictly after), answering `{ data, nextCursor, total }` sorted by id.
 * Tests change `records` between syncs, and can make one page hang (`holdAtCursor`) or be rate limited once.
 * Exports write PUT/PATCH/POST /contacts/{id}: the body replaces the record (PATCH merges), each write is kept in
 * `writes`, ids in `refuseWrites` answer 422, and a write of `holdWriteOf` (every write, with `holdWrites`) hangs
 * until `releaseHeld()`; `abandonedWrites` counts the held writes whose caller closed the connection. With
 * `holdHealthChecks`, GET /health waits until `answerHealthChecks()`.
 */
export class FakeSyncSource {
  records = new Map<string, FakeRecord>();
  /** Extra items served as they are (records without an id, oversized ones). */
  rawItems: unknown[] = [];
  holdAtCursor: string | null = null;
  rateLimitOnce = false;
  pagesServed = 0;
  writes: Array<{ method: string; id: string; body: Record<string, unknown> }> = [];
  refuseWrites = new Set<string>();
  holdWriteOf: string | null = null;
  holdWrites = false;
  abandonedWrites = 0;
  holdHealthChecks = false;
  private heldHealthChecks: ServerResponse[] = [];
  private server: Server | undefined;
  private held: ServerResponse[] = [];

  async start(): Promise<string> {
    this.server = createServer((req, res) => this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server!.address() as { port: number }).port}`;
  }

  get waitingHealthChecks(): number {
    return this.heldHealthChecks.length;
  }

  answerHealthChecks(): void {
    this.holdHealthChecks = false;
    for (const res of this.heldHealthChecks.splice(0)) json(res, 200, { ok: true });
  }

  async stop(): Promise<void> {
    for (const res of [...this.held, ...this.heldHealthChecks]) res.destroy();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  releaseHeld(): void {
    this.holdAtCursor = null;
    this.holdWriteOf = null;
    this.holdWrites = false;
    for (const res of this.held.splice(0)) res.destroy();
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url!, 'http://127.0.0.1');
    if (url.pathname === '/health') return this.holdHealthChecks ? void this.heldHealthChecks.push(res) : json(res, 200, { ok: true });
    const write = /^\/contacts\/([^/]+)$/.exec(url.pathname);
    if (write && ['PUT', 'PATCH', 'POST'].includes(req.method!)) return this.write(req, res, decodeURIComponent(write[1]));
    if (url.pathname !== '/contacts') return json(res, 404, { error: 'not found' });
    if (this.rateLimitOnce) {
      this.rateLimitOnce = false;
      res.writeHead(429, { 'retry-after': '1', 'content-type': 'application/json' });
      return void res.end('{}');
    }
    const cursor = url.searchParams.get('cursor') ?? '0';
    if (this.holdAtCursor !== null && cursor === this.holdAtCursor) {
      this.held.push(res);
      return;
    }
    const since = url.searchParams.get('updatedSince');
    const limit = Number(url.searchParams.get('limit') ?? '100');
    const all = [...[...this.records.values()].sort((a, b) => (a.id! < b.id! ? -1 : 1)), ...this.rawItems].filter(
      (r) => !since || !(r as FakeRecord).updatedAt || (r as FakeRecord).updatedAt > since,
    );
    const offset = Number(cursor);
    const data = all.slice(offset, offset + limit);
    this.pagesServed++;
    json(res, 200, { data, nextCursor: offset + limit < all.length ? String(offset + limit) : null, total: all.length });
  }

  private write(req: IncomingMessage, res: ServerResponse, id: string): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      this.writes.push({ method: req.method!, id, body });
      if (this.holdWrites || id === this.holdWriteOf) {
        res.on('close', () => void (res.writableEnded || this.abandonedWrites++));
        return void this.held.push(res);
      }
      if (this.refuseWrites.has(id)) return json(res, 422, { error: 'invalid record' });
      const previous = this.records.get(id);
      this.records.set(id, { ...(req.method === 'PATCH' ? previous : {}), ...body, id } as FakeRecord);
      json(res, 200, this.records.get(id));
    });
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
