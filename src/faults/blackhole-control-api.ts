import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { z } from 'zod';
import type { BlackholeProxy, HostPort, ProxyState } from './blackhole-proxy.js';

/**
 * The blackhole proxy's HTTP JSON control API:
 *   GET    /state        → ProxyState
 *   PUT    /fault        { mode, ...settings, leaseMs? } → ProxyState
 *   DELETE /fault        → ProxyState
 *   POST   /lease/renew  → ProxyState (409 when no fault is set)
 */
export interface ControlApi {
  url: string;
  close(): Promise<void>;
}

const expectMs = (what: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? `is required: expected ${what}` : `expected ${what}, got ${JSON.stringify(issue.input)}`;
const milliseconds = z.number({ error: expectMs('a whole number of milliseconds') }).int().nonnegative();
const leaseMs = z.number({ error: expectMs('a whole number of milliseconds') }).int().positive().optional();

export const faultRequestSchema = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('drop'), leaseMs }),
  z.strictObject({ mode: z.literal('reset'), leaseMs }),
  z.strictObject({ mode: z.literal('latency'), latencyMs: milliseconds, jitterMs: milliseconds.optional(), leaseMs }),
  z.strictObject({ mode: z.literal('http-error'), status: z.number().int().min(100).max(599).optional(), leaseMs }),
]);

export type FaultRequest = z.infer<typeof faultRequestSchema>;

const MAX_BODY_BYTES = 64 * 1024;

class HttpProblem extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

type Handler = (request: IncomingMessage) => Promise<ProxyState> | ProxyState;

export async function startControlApi(proxy: BlackholeProxy, listen: HostPort): Promise<ControlApi> {
  const routes: Record<string, Handler> = {
    'GET /state': () => proxy.state(),
    'PUT /fault': async (request) => {
      const { leaseMs: lease, ...fault } = parseFaultRequest(await readJson(request));
      return proxy.setFault(fault, lease === undefined ? {} : { leaseMs: lease });
    },
    'DELETE /fault': () => proxy.clearFault(),
    'POST /lease/renew': () => {
      if (proxy.state().mode === 'pass') throw new HttpProblem(409, `blackhole proxy "${proxy.name}" has no fault set: there is no lease to renew`);
      return proxy.renewLease();
    },
  };
  const server = createServer((request, response) => void answer(routes, request, response));
  server.listen(listen.port, listen.host);
  try {
    await once(server, 'listening');
  } catch (error) {
    throw new Error(`blackhole proxy "${proxy.name}" could not listen for its control API on ${listen.host}:${listen.port}: ${(error as Error).message}`);
  }
  const { port } = server.address() as { port: number };
  const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
  return {
    url: `http://${host}:${port}`,
    async close() {
      const closed = once(server, 'close');
      server.close();
      server.closeAllConnections();
      await closed;
    },
  };
}

async function answer(routes: Record<string, Handler>, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = new URL(request.url ?? '/', 'http://control').pathname;
  const handler = routes[`${request.method} ${path}`];
  try {
    if (!handler) throw new HttpProblem(404, `no route ${request.method} ${path}; expected one of ${Object.keys(routes).join(', ')}`);
    send(response, 200, await handler(request));
  } catch (error) {
    const status = error instanceof HttpProblem ? error.status : 500;
    send(response, status, { error: (error as Error).message });
  }
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpProblem(413, `body too large: expected at most ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpProblem(400, `body: expected JSON like {"mode":"drop","leaseMs":30000}, got ${JSON.stringify(text.slice(0, 80))}`);
  }
}

function parseFaultRequest(body: unknown): FaultRequest {
  const parsed = faultRequestSchema.safeParse(body);
  if (parsed.success) return parsed.data;
  throw new HttpProblem(400, parsed.error.issues.map(describeIssue).join('; '));
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `${issue.keys.join(', ')}: unknown field for this mode`;
  return `${issue.path.length ? issue.path.join('.') : 'body'}: ${issue.message}`;
}
