import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The lab's application in one Region: answers `GET /` with the Region that served it (header
 * `x-firedrill-region` and JSON), `GET /health` for health checks, and with a database
 * (`ordersRoutes`) `POST /orders` and `GET /orders/:id`; `/shop` is a web page for browser
 * journeys (web-page.ts). A Region can be scaled to zero (pilot light): it then refuses to serve
 * with 503 until scaled up.
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

export interface ServedEvent {
  region: string;
  path: string;
  /** The Host header: the app's name for users, an address for direct checks. */
  host: string;
  /** The `x-firedrill-canary` header: set by data canaries, which are not users. */
  canary: string | undefined;
  wallMs: number;
}

export interface AppServerOptions {
  region: string;
  host: string;
  port: number;
  instances?: number;
  /** Called for every request served with success, after the answer is sent (ground truth). */
  onServed?: (event: ServedEvent) => void;
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
      for (const route of options.routes ?? []) {
        if (!(await route(req, res))) continue;
        if (res.statusCode < 400) served(req, res);
        return;
      }
      if (req.url === '/health' || req.url === '/') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ region: options.region, ok: true }));
        return served(req, res);
      }
      res.writeHead(404).end();
    } catch (error) {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ region: options.region, error: (error as Error).message }));
    }
  });
  // Served means delivered: an answer to a client that had already given up (its timeout passed,
  // its socket closed) was never seen by a user, so it is not recovery.
  const served = (req: IncomingMessage, res: ServerResponse) => {
    if (req.socket.destroyed || res.destroyed) return;
    options.onServed?.({
      region: options.region, path: req.url ?? '/', host: req.headers.host ?? '', canary: req.headers['x-firedrill-canary'] as string | undefined, wallMs: Date.now(),
    });
  };
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

/** Where an app's orders go: writes to the one writer, reads from its own Region. */
export interface OrdersDatabase {
  writer(): string;
  reader(): string;
  query(connectionString: string, sql: string, params: unknown[], timeoutMs: number): Promise<Array<Record<string, unknown>>>;
}

const ORDER_PATH = /^\/orders\/(\d+)$/;
const MAX_ORDER_BYTES = 4_096;

/**
 * `POST /orders` `{source?, item?}` inserts an order and answers 201 with the committed id once
 * the writer acknowledged it; `GET /orders/:id` answers the order or 404. A database that does
 * not answer within `timeoutMs` is a 503, not a hang.
 */
export function ordersRoutes(region: string, db: OrdersDatabase, timeoutMs = 1_000): AppRoute[] {
  const send = (res: ServerResponse, status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ region, ...body as object }));
  const unavailable = (res: ServerResponse, error: unknown) => send(res, 503, { error: `database unavailable: ${(error as Error).message}` });
  return [
    async (req, res) => {
      if (req.method !== 'POST' || req.url !== '/orders') return false;
      let order: { source?: unknown; item?: unknown };
      try {
        order = JSON.parse((await readBody(req)) || '{}') as typeof order;
      } catch (error) {
        send(res, 400, { error: `expected a JSON body like {"source":"web","item":"book"}: ${(error as Error).message}` });
        return true;
      }
      try {
        const [row] = await db.query(db.writer(), 'INSERT INTO orders (source, item, region, created_at_ms) VALUES ($1, $2, $3, $4) RETURNING id::text AS id',
          [String(order.source ?? 'anonymous'), String(order.item ?? ''), region, Date.now()], timeoutMs);
        send(res, 201, { id: Number(row!.id) });
      } catch (error) {
        unavailable(res, error);
      }
      return true;
    },
    async (req, res) => {
      const id = req.method === 'GET' ? ORDER_PATH.exec(req.url ?? '')?.[1] : undefined;
      if (id === undefined) return false;
      try {
        const [row] = await db.query(db.reader(), 'SELECT id::text AS id, source, item, region FROM orders WHERE id = $1', [id], timeoutMs);
        if (row) send(res, 200, { order: { ...row, id: Number(row.id) } });
        else send(res, 404, { error: `no order ${id}` });
      } catch (error) {
        unavailable(res, error);
      }
      return true;
    },
  ];
}

/** A request's body as text; a body over `maxBytes` is an error, not a memory problem. */
export async function readBody(req: IncomingMessage, maxBytes = MAX_ORDER_BYTES): Promise<string> {
  let text = '';
  for await (const chunk of req as AsyncIterable<Buffer>) {
    text += chunk.toString('utf8');
    if (text.length > maxBytes) throw new Error(`body over ${maxBytes} bytes`);
  }
  return text;
}
