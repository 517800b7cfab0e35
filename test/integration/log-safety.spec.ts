import { randomBytes } from 'node:crypto';
import { createServer, connect, Server, Socket } from 'node:net';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { CommandBus } from '@nestjs/cqrs';
import type { Logger } from 'pino';
import { createHttpApp } from '../../src/bootstrap';
import { AppConfig, loadConfig } from '../../src/common/config/app-config';
import { dropDatabase } from '../../src/common/database/ensure-database';
import { createRootLogger } from '../../src/common/logging/logger';
import { reportStartUpFailure } from '../../src/common/logging/start-up';
import { EnsureBootstrapKeyCommand } from '../../src/modules/api-keys/commands/ensure-bootstrap-key/ensure-bootstrap-key.command';
import { generateApiKeyToken, hashApiKey } from '../../src/modules/api-keys/domain/api-key-token';

/**
 * A loopback TCP proxy in front of PostgreSQL that drops a connection, with no word from the server, when the client
 * sends a statement holding `marker`: pg then fails the query with a plain Error ("Connection terminated
 * unexpectedly"), whose message knex rewrites as `<the SQL, values inlined> - Connection terminated unexpectedly`.
 */
class DroppingProxy {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  marker: string | undefined;
  dropped = 0;

  constructor(private readonly target: { host: string; port: number }) {
    this.server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.on('data', (chunk: Buffer) => {
        if (this.marker !== undefined && chunk.includes(this.marker)) {
          this.dropped++;
          client.destroy();
          upstream.destroy();
        } else {
          upstream.write(chunk);
        }
      });
      upstream.pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as { port: number }).port;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

/**
 * What reaches the log: no error from a statement is written with its SQL or bound values (a key's hash), whatever
 * its class, from a request, the queue dashboard or a failed start; and a refused request leaves its source (the
 * client's address, the presented key's first 8 characters, never more). A service of its own, on a database of
 * its own behind the proxy, logging at info into `lines`.
 */
describe('log safety', () => {
  let proxy: DroppingProxy;
  let database: string;
  let config: AppConfig;
  let app: NestFastifyApplication;
  let logger: Logger;
  let baseUrl: string;
  const lines: string[] = [];

  const request = (path: string, headers: Record<string, string> = {}) => fetch(baseUrl + path, { headers });
  const logged = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
  const completed = (status: number) => logged().filter((line) => line.msg === 'request completed' && line.status === status);

  beforeAll(async () => {
    const url = new URL(process.env.DATABASE_URL!);
    url.pathname = `${url.pathname}_logsafety_${randomBytes(3).toString('hex')}`;
    database = url.toString();
    proxy = new DroppingProxy({ host: url.hostname, port: Number(url.port || 5432) });
    url.port = String(await proxy.listen());
    config = loadConfig({ ...process.env, PROCESS_ROLE: 'api', DATABASE_URL: url.toString(), MIGRATE_ON_START: 'true' }, () => undefined);
    logger = createRootLogger({ logLevel: 'info' }, { write: (line: string) => void lines.push(line) });
    app = await createHttpApp(config, logger);
    await app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  });

  afterEach(() => {
    proxy.marker = undefined;
    lines.length = 0;
  });

  afterAll(async () => {
    await app?.close();
    await proxy?.close();
    if (database) await dropDatabase(database);
  });

  /** Sends what `act` sends with the connection dropped under the statement holding `hash`; the log must not hold it. */
  async function dropUnder(hash: string, act: () => Promise<unknown>): Promise<string> {
    proxy.marker = hash;
    const before = proxy.dropped;
    await act();
    expect(proxy.dropped).toBe(before + 1);
    const text = lines.join('\n');
    expect(text).toContain('Connection terminated unexpectedly');
    expect(text).not.toContain(hash);
    return text;
  }

  it("keeps a key's hash out of the log and the answer when its look-up fails on a dropped connection", async () => {
    const token = generateApiKeyToken(); // well-formed and unknown: looked up by its hash
    let body = '';
    const text = await dropUnder(hashApiKey(token), async () => {
      const answer = await request('/api/me', { 'X-API-Key': token });
      expect(answer.status).toBe(500);
      body = await answer.text();
    });
    expect(body).not.toContain(hashApiKey(token));
    expect(text).toContain('Unhandled error');
  });

  it('keeps it out of the log when the look-up for the queue dashboard fails so', async () => {
    const token = generateApiKeyToken();
    const basic = `Basic ${Buffer.from(`operator:${token}`).toString('base64')}`;
    const text = await dropUnder(hashApiKey(token), async () => expect((await request('/queues/api/queues', { Authorization: basic })).status).toBe(500));
    expect(text).toContain('Could not verify an API key for the queue dashboard');
  });

  it("keeps the bootstrap key's hash out of the report of a start that failed on it", async () => {
    const secret = `log-safety-${randomBytes(24).toString('hex')}`;
    const exit = jest.spyOn(process, 'exit').mockImplementation(() => {
      throw new Error('exited');
    });
    try {
      const text = await dropUnder(hashApiKey(secret), async () => {
        const failure = await app
          .get(CommandBus)
          .execute(new EnsureBootstrapKeyCommand(secret))
          .then(() => new Error('the command succeeded'), (error: Error) => error);
        expect(() => reportStartUpFailure(failure, logger)).toThrow('exited');
      });
      expect(exit).toHaveBeenCalledWith(1);
      expect(logged().find((line) => line.level === 60)?.msg).toMatch(/^Could not start: .*Connection terminated unexpectedly/);
      expect(text).not.toContain(secret);
    } finally {
      exit.mockRestore();
    }
  });

  it("logs a refused request's address and the presented key's first 8 characters, never the rest", async () => {
    const madeUp = `ihk_madeUp${randomBytes(20).toString('hex')}`;
    expect((await request('/api/me', { 'X-API-Key': madeUp })).status).toBe(401);
    expect(completed(401)).toEqual([expect.objectContaining({ route: '/api/me', ip: '127.0.0.1', keyPrefix: madeUp.slice(0, 8) })]);
    expect(lines.join('\n')).not.toContain(madeUp.slice(8));

    // The queue dashboard's Basic password is the presented key too.
    lines.length = 0;
    const basic = `Basic ${Buffer.from(`operator:${madeUp}`).toString('base64')}`;
    expect((await request('/queues', { Authorization: basic })).status).toBe(401);
    expect(completed(401)).toEqual([expect.objectContaining({ ip: '127.0.0.1', keyPrefix: madeUp.slice(0, 8) })]);
    expect(lines.join('\n')).not.toContain(madeUp.slice(8));

    // Nothing of a key not in our format (a mistyped bootstrap key, a password typed at the dashboard's prompt):
    // its first characters are a secret's.
    lines.length = 0;
    const mistyped = `${config.bootstrapApiKey}x`;
    expect((await request('/api/me', { 'X-API-Key': mistyped })).status).toBe(401);
    expect(completed(401)).toEqual([expect.objectContaining({ ip: '127.0.0.1' })]);
    expect(completed(401)[0]).not.toHaveProperty('keyPrefix');
    expect(lines.join('\n')).not.toContain(mistyped.slice(0, 8));

    // No key, no prefix; an answered request carries neither.
    lines.length = 0;
    expect((await request('/api/me')).status).toBe(401);
    expect((await request('/api/me', { 'X-API-Key': config.bootstrapApiKey })).status).toBe(200);
    expect(completed(401)).toEqual([expect.objectContaining({ ip: '127.0.0.1' })]);
    expect(completed(401)[0]).not.toHaveProperty('keyPrefix');
    expect(completed(200)[0]).not.toHaveProperty('ip');
    expect(lines.join('\n')).not.toContain(config.bootstrapApiKey.slice(8));
  });

  it('logs nothing as our error when a client gives up sending an oversized body (its 400 goes nowhere)', async () => {
    const server = app.getHttpServer() as import('node:http').Server;
    const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
    const socket = connect(Number(new URL(baseUrl).port), '127.0.0.1');
    // Declared over the limit, so the body is read off before the 413; the client leaves a tenth of the way in.
    socket.write(`POST /api/tenants HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${5 * 1024 * 1024}\r\n\r\n`);
    socket.write(Buffer.alloc(512 * 1024, 0x20));
    const serverSide = await accepted;
    await new Promise((resolve) => setTimeout(resolve, 0));
    socket.destroy();
    // The server's end of the connection closes once it has seen the abort and answered it (into nothing).
    await new Promise((resolve) => (serverSide.destroyed ? resolve(undefined) : serverSide.once('close', resolve)));
    await new Promise((resolve) => setImmediate(resolve));
    expect(logged().filter((line) => (line.level as number) >= 50)).toEqual([]);
  });

  it('logs the address and key prefix of a 403, and the address of a 429', async () => {
    const generated = await fetch(`${baseUrl}/api/apikeys`, {
      method: 'POST',
      headers: { 'X-API-Key': config.bootstrapApiKey, 'Content-Type': 'application/json' },
      body: JSON.stringify({ keyName: 'Log safety', scopes: ['integration:read'], rateLimitPerHour: 2 }),
    });
    const { key } = (await generated.json()) as { key: string };
    lines.length = 0;
    expect((await request('/api/tenants', { 'X-API-Key': key })).status).toBe(403);
    expect((await request('/api/me', { 'X-API-Key': key })).status).toBe(200);
    expect((await request('/api/me', { 'X-API-Key': key })).status).toBe(429);
    expect(completed(403)).toEqual([expect.objectContaining({ route: '/api/tenants', ip: '127.0.0.1', keyPrefix: key.slice(0, 8) })]);
    expect(completed(429)).toEqual([expect.objectContaining({ route: '/api/me', ip: '127.0.0.1' })]);
    expect(completed(429)[0]).not.toHaveProperty('keyPrefix');
    expect(lines.join('\n')).not.toContain(key.slice(8));
  });
});
