import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { metricsRegistry } from './metrics';

/**
 * A worker's own scrape endpoint: nearly every webhook, outbox, sync and integration-health metric moves only in
 * worker code, and a worker alone (PROCESS_ROLE=worker) has no HTTP server, so without this Prometheus could
 * scrape none of them. It serves the process's one registry, exactly as the API's MetricsController does, and
 * the liveness answer of /health/live (readiness stays with the API's terminus checks).
 *
 * Plain node:http rather than a Nest HTTP adapter: an adapter would mount every controller of the application
 * context (the whole API, with its auth, in a process meant not to serve it), and two fixed paths need no router.
 */
@Injectable()
export class WorkerMetricsServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WorkerMetricsServer.name);
  private readonly server: Server = createServer((request, response) => void this.answer(request, response));

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Listens once the application is up, so a taken port stops the start instead of going unnoticed. */
  async onApplicationBootstrap(): Promise<void> {
    const port = this.config.workerMetricsPort;
    if (port === null) return;
    await new Promise<void>((resolve, reject) => {
      const refuse = (error: NodeJS.ErrnoException) =>
        reject(
          error.code === 'EADDRINUSE'
            ? new Error(`WORKER_METRICS_PORT ${port} is in use on ${this.config.host}: give each worker on a machine its own port (or 0 for a free one)`)
            : error,
        );
      this.server.once('error', refuse);
      this.server.listen(port, this.config.host, () => {
        this.server.off('error', refuse);
        resolve();
      });
    });
    const { address, port: bound } = this.address()!;
    this.logger.log(`Worker metrics on http://${address}:${bound}/metrics`);
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.server.listening) return;
    // A scraper's keep-alive connection would otherwise hold close() open until it times out.
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) => this.server.close((error) => (error ? reject(error) : resolve())));
  }

  /** Where it listens (port 0 picks a free one); undefined when switched off or closed. */
  address(): AddressInfo | undefined {
    return (this.server.address() as AddressInfo | null) ?? undefined;
  }

  private async answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0];
    if (path !== '/metrics' && path !== '/health/live') return end(response, 404, 'text/plain; charset=utf-8', 'Not Found\n');
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD');
      return end(response, 405, 'text/plain; charset=utf-8', 'Method Not Allowed\n');
    }
    if (path === '/health/live') return end(response, 200, 'application/json; charset=utf-8', JSON.stringify({ status: 'ok' }));
    try {
      end(response, 200, metricsRegistry.contentType, await metricsRegistry.metrics());
    } catch (error) {
      // The reason goes to the log only: a scraper learns nothing about the process from an error body.
      this.logger.error(`Collecting metrics failed: ${(error as Error).message}`);
      end(response, 500, 'text/plain; charset=utf-8', 'Internal Server Error\n');
    }
  }
}

function end(response: ServerResponse, status: number, contentType: string, body: string): void {
  response.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) });
  response.end(body);
}
