import type { Socket } from 'node:net';
import { buildConnector, Client, type Dispatcher } from 'undici';
import { z } from 'zod';
import { DURATION_HINT, parseDuration } from '../core/duration.js';
import { answerProblem, httpExpectationSchema, parseJson } from '../core/http-expectation.js';
import { readJsonPath } from '../core/json-path.js';
import { durationMs } from '../scenario/fields.js';
import type { Probe, ProbeContext, SampleOutcome } from './probe.js';
import { createResolver, type TtlPolicy } from '../net/resolver.js';

/** How long the probe's client keeps a DNS answer: "honour" its TTL, "none", or a fixed duration. */
export const ttlSetting = z.string().transform((text, ctx): TtlPolicy => {
  if (text === 'honour' || text === 'none') return text;
  const fixedMs = parseDuration(text);
  if (fixedMs !== undefined) return { fixedMs };
  ctx.addIssue({ code: 'custom', message: `expected "honour", "none" or ${DURATION_HINT}, got ${JSON.stringify(text)}` });
  return z.NEVER;
}).default('honour');

export const resolveSettings = z.strictObject({
  nameservers: z.array(z.string().min(1)).min(1),
  ttl: ttlSetting,
});

export const httpProbeSettings = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  method: z.string().regex(/^[A-Za-z]+$/).default('GET'),
  headers: z.record(z.string(), z.string()).default({}),
  body: z.json().optional(),
  interval: durationMs.default(500),
  timeout: durationMs.default(2_000),
  expect: httpExpectationSchema.default({}),
  /** Which Region served the sample: a response header, or a field of the JSON body. */
  region: z.union([z.strictObject({ header: z.string().min(1) }), z.strictObject({ json: z.string() })]).optional(),
  /** `fresh`: a new TCP connection per sample, so a pooled connection cannot hide a DNS change. */
  connection: z.enum(['keep-alive', 'fresh']).default('fresh'),
  /** Resolve the URL's host at these nameservers, through a client-side cache, instead of the system's. */
  resolve: resolveSettings.optional(),
  vantage: z.string().min(1).optional(),
});

export type HttpProbeSettings = z.input<typeof httpProbeSettings>;
type Settings = z.output<typeof httpProbeSettings>;

/**
 * A user's HTTP request as a probe. Each sample records the status, the Region that answered
 * and the address it connected to; header values and the request body never leave the probe.
 */
export function createHttpProbe(name: string, settings: HttpProbeSettings): Probe {
  const s = httpProbeSettings.parse(settings);
  const timeoutMs = s.timeout;
  const resolver = s.resolve ? createResolver({ nameservers: s.resolve.nameservers, ttl: s.resolve.ttl, timeoutMs }) : undefined;
  const connector = buildConnector({ timeout: timeoutMs, ...(resolver ? { lookup: resolver.lookup } : {}) });
  const url = new URL(s.url);
  const connections = new Connections(url.origin, connector, s.connection);
  const { body, contentType } = encodeBody(s.body);
  const request: Dispatcher.DispatchOptions = {
    origin: url.origin,
    path: `${url.pathname}${url.search}`,
    method: s.method.toUpperCase() as Dispatcher.HttpMethod,
    headers: { ...(contentType && !hasHeader(s.headers, 'content-type') ? { 'content-type': contentType } : {}), ...s.headers },
    ...(body !== undefined ? { body } : {}),
  };
  const keepBody = needsBody(s);
  const secrets = Object.values(s.headers).filter((v) => v.length >= 4);

  async function sample(ctx: ProbeContext): Promise<SampleOutcome> {
    const connection = connections.take();
    try {
      const response = await exchange(connection.client, request, keepBody, ctx);
      return judgeResponse(s, response, connection.address);
    } catch (error) {
      const address = connection.address;
      const reason = (error as Error).name === 'TimeoutError' ? `timeout after ${timeoutMs}ms` : describeError(error, secrets);
      return { ok: false, error: reason, ...(address ? { detail: { address } } : {}) };
    } finally {
      await connections.give(connection);
    }
  }

  return {
    name,
    intervalMs: s.interval,
    timeoutMs,
    ...(s.vantage ? { vantage: s.vantage } : {}),
    sample,
    close: () => connections.close(),
  };
}

interface Response {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** One connection: an undici `Client`, and the address its socket connected to (read once, at connect). */
interface Connection {
  client: Client;
  address: string | undefined;
}

/**
 * The probe's connections. `keep-alive`: a sample takes an idle connection or opens one, and gives
 * it back when answered, so a sample never waits behind another (fixed rate) and its address is
 * the one it really talked to. `fresh`: a new connection per sample, closed after it.
 */
class Connections {
  private readonly idle: Connection[] = [];
  private readonly open = new Set<Connection>();

  constructor(private readonly origin: string, private readonly connector: buildConnector.connector, private readonly mode: 'keep-alive' | 'fresh') {}

  take(): Connection {
    const reused = this.mode === 'keep-alive' ? this.idle.pop() : undefined;
    return reused ?? this.opened();
  }

  async give(connection: Connection): Promise<void> {
    if (this.mode === 'keep-alive') {
      this.idle.push(connection);
      return;
    }
    this.open.delete(connection);
    await connection.client.destroy();
  }

  async close(): Promise<void> {
    const all = [...this.open];
    this.open.clear();
    this.idle.length = 0;
    await Promise.all(all.map((c) => c.client.destroy()));
  }

  private opened(): Connection {
    const connection: Connection = { client: undefined as unknown as Client, address: undefined };
    connection.client = new Client(this.origin, {
      // The sample's own timeout is the one that counts; undici's would be two more timers a request.
      headersTimeout: 0,
      bodyTimeout: 0,
      connect: (options, callback) => this.connector(options, (error, socket) => {
        if (socket) connection.address = (socket as Socket).remoteAddress;
        (callback as (...args: unknown[]) => void)(error, socket);
      }),
    });
    this.open.add(connection);
    return connection;
  }
}

/**
 * One request through undici's dispatcher interface rather than `request()`: no body stream, no
 * abort signal, and no closures made per sample but the one the sample's give-up calls (the
 * handler is this object). At thousands of samples a second this is what keeps the schedule
 * (see bench/README.md).
 */
function exchange(client: Client, options: Dispatcher.DispatchOptions, keepBody: boolean, ctx: ProbeContext): Promise<Response> {
  return new Promise((resolve, reject) => {
    const handler = new Exchange(keepBody, resolve, reject);
    ctx.onGiveUp((reason) => handler.abort(reason));
    client.dispatch(options, handler);
  });
}

class Exchange implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private status = 0;
  private headers: Response['headers'] = {};
  private readonly chunks: Buffer[] = [];
  private settled = false;

  constructor(
    private readonly keepBody: boolean,
    private readonly resolve: (response: Response) => void,
    private readonly reject: (error: unknown) => void,
  ) {}

  abort(reason: Error): void {
    if (this.controller) this.controller.abort(reason);
    else this.finish(reason);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: Response['headers']): void {
    this.status = statusCode;
    this.headers = headers;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.keepBody) this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    this.finish();
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.finish(error);
  }

  private finish(error?: unknown): void {
    if (this.settled) return;
    this.settled = true;
    if (error !== undefined) this.reject(error);
    else this.resolve({ status: this.status, headers: this.headers, text: this.keepBody ? Buffer.concat(this.chunks).toString() : '' });
  }
}

function encodeBody(body: unknown): { body?: string; contentType?: string } {
  if (body === undefined) return {};
  if (typeof body === 'string') return { body };
  return { body: JSON.stringify(body), contentType: 'application/json' };
}

function hasHeader(headers: Record<string, string>, wanted: string): boolean {
  return Object.keys(headers).some((key) => key.toLowerCase() === wanted);
}

function needsBody(s: Settings): boolean {
  return s.expect.bodyContains !== undefined || s.expect.json !== undefined || (s.region !== undefined && 'json' in s.region);
}

function judgeResponse(s: Settings, { status, headers, text }: Response, address: string | undefined): SampleOutcome {
  const json = s.expect.json || (s.region && 'json' in s.region) ? parseJson(text) : undefined;
  const region = readRegion(s, headers, json && 'value' in json ? json.value : undefined);
  const error = answerProblem({ status, text, ...(json ? { json } : {}) }, s.expect);
  return {
    ok: error === undefined,
    status,
    ...(region !== undefined ? { region } : {}),
    ...(error !== undefined ? { error } : {}),
    ...(address ? { detail: { address } } : {}),
  };
}

function readRegion(s: Settings, headers: Record<string, string | string[] | undefined>, json: unknown): string | undefined {
  if (!s.region) return undefined;
  if ('header' in s.region) {
    const value = headers[s.region.header.toLowerCase()];
    return Array.isArray(value) ? value[0] : value;
  }
  const value = readJsonPath(json, s.region.json);
  return value === undefined || value === null || typeof value === 'object' ? undefined : String(value);
}

/** A short reason: the system error code when there is one (ECONNRESET), else undici's. */
function describeError(error: unknown, secrets: string[]): string {
  const e = error as { code?: string; message?: string; cause?: { code?: string } };
  const systemCode = [e.cause?.code, e.code].find((code) => code && /^E[A-Z]+$/.test(code));
  const reason = systemCode ?? e.code ?? e.message ?? String(error);
  return secrets.reduce((text, secret) => text.split(secret).join('[redacted]'), reason).slice(0, 200);
}
