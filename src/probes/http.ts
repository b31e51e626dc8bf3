import { z } from 'zod';
import { DURATION_HINT, parseDuration } from '../core/duration.js';
import { answerProblem, httpExpectationSchema, parseJson } from '../core/http-expectation.js';
import { readJsonPath } from '../core/json-path.js';
import { durationMs } from '../scenario/fields.js';
import type { Probe, ProbeContext, SampleOutcome } from './probe.js';
import { httpHeaders } from '../net/http-call.js';
import { ConnectionClosedEarly, encodeRequest, Http1Connection, http1TargetOf, type Http1Answer, type Http1Exchange, type Http1Target } from '../net/http1-connection.js';
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
  headers: httpHeaders.default({}),
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
  const url = new URL(s.url);
  const connections = new Connections(http1TargetOf(url, resolver?.lookup), s.connection);
  const method = s.method.toUpperCase();
  const exchange: Http1Exchange = {
    request: encodeRequest(url, method, s.headers, s.body),
    head: method === 'HEAD',
    keepBody: needsBody(s),
    keepHeaders: s.region && 'header' in s.region ? [s.region.header.toLowerCase()] : [],
  };
  const secrets = Object.values(s.headers).filter((v) => v.length >= 4);

  async function sample(ctx: ProbeContext): Promise<SampleOutcome> {
    let connection = connections.take();
    ctx.onGiveUp((reason) => connection.abort(reason));
    try {
      const answer = await connection.exchange(exchange).catch((error: unknown) => {
        if (!(error instanceof ConnectionClosedEarly && connection.reused)) throw error;
        // The server let an idle connection go as this sample took it: one more try on a new one.
        connections.give(connection);
        connection = connections.opened();
        return connection.exchange(exchange);
      });
      return judgeResponse(s, answer, connection.address);
    } catch (error) {
      const address = connection.address;
      const reason = (error as Error).name === 'TimeoutError' ? `timeout after ${timeoutMs}ms` : describeError(error, secrets);
      return { ok: false, error: reason, ...(address ? { detail: { address } } : {}) };
    } finally {
      connections.give(connection);
    }
  }

  return {
    name,
    intervalMs: s.interval,
    timeoutMs,
    ...(s.vantage ? { vantage: s.vantage } : {}),
    sample,
    close: async () => connections.close(),
  };
}

/**
 * The probe's connections. `keep-alive`: a sample takes an idle connection or opens one, and gives
 * it back when answered, so a sample never waits behind another (fixed rate) and its address is
 * the one it really talked to. `fresh`: a new connection per sample, closed after it.
 */
class Connections {
  private readonly idle: Http1Connection[] = [];
  private readonly open = new Set<Http1Connection>();

  constructor(private readonly target: Http1Target, private readonly mode: 'keep-alive' | 'fresh') {}

  take(): Http1Connection {
    while (this.mode === 'keep-alive' && this.idle.length > 0) {
      const connection = this.idle.pop()!;
      if (connection.reusable) return connection;
      this.open.delete(connection);
    }
    return this.opened();
  }

  opened(): Http1Connection {
    const connection = new Http1Connection(this.target);
    this.open.add(connection);
    return connection;
  }

  give(connection: Http1Connection): void {
    if (this.mode === 'keep-alive' && connection.reusable) {
      this.idle.push(connection);
      return;
    }
    this.open.delete(connection);
    connection.destroy();
  }

  close(): void {
    for (const connection of this.open) connection.destroy();
    this.open.clear();
    this.idle.length = 0;
  }
}

function needsBody(s: Settings): boolean {
  return s.expect.bodyContains !== undefined || s.expect.json !== undefined || (s.region !== undefined && 'json' in s.region);
}

function judgeResponse(s: Settings, { status, headers, body: text }: Http1Answer, address: string | undefined): SampleOutcome {
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

function readRegion(s: Settings, headers: Record<string, string>, json: unknown): string | undefined {
  if (!s.region) return undefined;
  if ('header' in s.region) return headers[s.region.header.toLowerCase()];
  const value = readJsonPath(json, s.region.json);
  return value === undefined || value === null || typeof value === 'object' ? undefined : String(value);
}

/** A short reason: the system error code when there is one (ECONNRESET), else the error's own. */
function describeError(error: unknown, secrets: string[]): string {
  const e = error as { code?: string; message?: string; cause?: { code?: string } };
  const systemCode = [e.cause?.code, e.code].find((code) => code && /^E[A-Z]+$/.test(code));
  const reason = systemCode ?? e.code ?? e.message ?? String(error);
  return secrets.reduce((text, secret) => text.split(secret).join('[redacted]'), reason).slice(0, 200);
}
