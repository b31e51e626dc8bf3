import type { Socket } from 'node:net';
import { Agent, buildConnector, type Dispatcher } from 'undici';
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
  const openAgents = new Set<Agent>();
  const sharedSockets = new Map<Socket, string | undefined>();
  const shared = s.connection === 'keep-alive' ? openAgent(sharedSockets) : undefined;
  const url = new URL(s.url);
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

  /** The address of each socket is read once, when it connects: a sample costs no system call for it. */
  function openAgent(sockets: Map<Socket, string | undefined>): Agent {
    const agent = new Agent({
      connect: (options, callback) => connector(options, (error, socket) => {
        if (socket) {
          sockets.set(socket, socket.remoteAddress);
          socket.once('close', () => sockets.delete(socket));
        }
        (callback as (...args: unknown[]) => void)(error, socket);
      }),
    });
    openAgents.add(agent);
    return agent;
  }

  async function sample(ctx: ProbeContext): Promise<SampleOutcome> {
    const sockets = shared ? sharedSockets : new Map<Socket, string | undefined>();
    const agent = shared ?? openAgent(sockets);
    try {
      const response = await exchange(agent, request, keepBody, timeoutMs, ctx.signal);
      return judgeResponse(s, response, addressOf(sockets));
    } catch (error) {
      const address = addressOf(sockets);
      const reason = error === SAMPLE_TIMEOUT || isTimeout(ctx.signal) ? `timeout after ${timeoutMs}ms` : describeError(error, secrets);
      return { ok: false, error: reason, ...(address ? { detail: { address } } : {}) };
    } finally {
      if (!shared) {
        openAgents.delete(agent);
        await agent.destroy();
      }
    }
  }

  return {
    name,
    intervalMs: s.interval,
    timeoutMs,
    ...(s.vantage ? { vantage: s.vantage } : {}),
    sample,
    async close() {
      await Promise.all([...openAgents].map((agent) => agent.destroy()));
      openAgents.clear();
    },
  };
}

interface Response {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** One instance for every timeout: an error's stack is captured when it is made, thousands of times a second otherwise. */
const SAMPLE_TIMEOUT = new Error('the sample timed out');

/**
 * One request through undici's dispatcher interface rather than `request()`: no body stream, no
 * abort signals of its own, one timer for the whole exchange, and no closures made per sample
 * (the handler is this object; the signal calls its `handleEvent`). At thousands of samples a
 * second this is what keeps the schedule (see bench/README.md).
 */
function exchange(agent: Agent, options: Dispatcher.DispatchOptions, keepBody: boolean, timeoutMs: number, signal: AbortSignal): Promise<Response> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    agent.dispatch(options, new Exchange(keepBody, timeoutMs, signal, resolve, reject));
  });
}

class Exchange implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  private status = 0;
  private headers: Response['headers'] = {};
  private readonly chunks: Buffer[] = [];
  private readonly timer: NodeJS.Timeout;
  private settled = false;

  constructor(
    private readonly keepBody: boolean,
    timeoutMs: number,
    private readonly signal: AbortSignal,
    private readonly resolve: (response: Response) => void,
    private readonly reject: (error: unknown) => void,
  ) {
    this.timer = setTimeout(abortExchange, timeoutMs, this);
    signal.addEventListener('abort', this, { once: true });
  }

  /** The sample's signal aborted. */
  handleEvent(): void {
    this.abort(this.signal.reason);
  }

  abort(reason: unknown): void {
    if (this.controller) this.controller.abort(reason as Error);
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
    clearTimeout(this.timer);
    this.signal.removeEventListener('abort', this);
    if (error !== undefined) this.reject(error);
    else this.resolve({ status: this.status, headers: this.headers, text: this.keepBody ? Buffer.concat(this.chunks).toString() : '' });
  }
}

function abortExchange(exchange: Exchange): void {
  exchange.abort(SAMPLE_TIMEOUT);
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

/**
 * The address the sample talked to. A fresh connection has one socket; a keep-alive pool may
 * hold several, and then the address is known only when they all agree.
 */
function addressOf(sockets: Map<Socket, string | undefined>): string | undefined {
  let found: string | undefined;
  for (const address of sockets.values()) {
    if (address === undefined) continue;
    if (found !== undefined && address !== found) return undefined;
    found = address;
  }
  return found;
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

function isTimeout(signal: AbortSignal): boolean {
  return signal.aborted && (signal.reason as Error | undefined)?.name === 'TimeoutError';
}

/** A short reason: the system error code when there is one (ECONNRESET), else undici's. */
function describeError(error: unknown, secrets: string[]): string {
  const e = error as { code?: string; message?: string; cause?: { code?: string } };
  const systemCode = [e.cause?.code, e.code].find((code) => code && /^E[A-Z]+$/.test(code));
  const reason = systemCode ?? e.code ?? e.message ?? String(error);
  return secrets.reduce((text, secret) => text.split(secret).join('[redacted]'), reason).slice(0, 200);
}
