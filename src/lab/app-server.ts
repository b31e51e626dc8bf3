import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The lab's application in one Region: answers `GET /` with the Region that served it (header
 * `x-firedrill-region` and JSON), `GET /health` for health checks. A Region can be scaled to zero
 * (pilot light): it then refuses to serve with 503 until scaled up.
 */
export interface AppServer {
  readonly region: string;
  readonly host: string;
  readonly port: number;
  /** Instances serving; 0 means the app answers 503 (not running). */
  instances: number;
  close(): Promise<void>;
}

export type AppRoute = (req: IncomingMessage, res: ServerResponse) => Promise<boolean> | boolean;

export interface AppServerOptions {
  region: string;
  host: string;
  port: number;
  instances?: number;
  /** Called for every request served with success, after the answer is sent (ground truth). */
  onServed?: (event: { region: string; path: string; wallMs: number }) => void;
  /** Extra routes (data writes for canaries); return true when handled. */
  routes?: AppRoute[];
}

export async function startAppServer(options: AppServerOptions): Promise<AppServer> {
  const app = { instances: options.instances ?? 1 };
  const server: Server = createServer(async (req, res) => {
    res.setHeader('x-firedrill-region', options.region);
    if (app.instances === 0) {
      res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ region: options.region, error: 'no instances running' }));
      return;
    }
    try {
      for (const route of options.routes ?? []) if (await route(req, res)) return served(req);
      if (req.url === '/health' || req.url === '/') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ region: options.region, ok: true }));
        return served(req);
      }
      res.writeHead(404).end();
    } catch (error) {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ region: options.region, error: (error as Error).message }));
    }
  });
  const served = (req: IncomingMessage) => options.onServed?.({ region: options.region, path: req.url ?? '/', wallMs: Date.now() });
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  return Object.assign(app, {
    region: options.region,
    host: options.host,
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  });
}
