import type { Socket } from 'node:net';
import { Agent, buildConnector, request } from 'undici';
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
  const sharedSockets = new Set<Socket>();
  const shared = s.connection === 'keep-alive' ? openAgent(sharedSockets) : undefined;
  const { body, contentType } = encodeBody(s.body);
  const headers = { ...(contentType && !hasHeader(s.headers, 'content-type') ? { 'content-type': contentType } : {}), ...s.headers };
  const secrets = Object.values(s.headers).filter((v) => v.length >= 4);

  function openAgent(sockets: Set<Socket>): Agent {
    const agent = new Agent({
      connect: (options, callback) => connector(options, (error, socket) => {
        if (socket) {
          sockets.add(socket);
          socket.once('close', () => sockets.delete(socket));
        }
        (callback as (...args: unknown[]) => void)(error, socket);
      }),
    });
    openAgents.add(agent);
    return agent;
  }

  async function sample(ctx: ProbeContext): Promise<SampleOutcome> {
    const sockets = shared ? sharedSockets : new Set<Socket>();
    const agent = shared ?? openAgent(sockets);
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
      const response = await request(s.url, { dispatcher: agent, method: s.method.toUpperCase(), headers, body, signal: AbortSignal.any([ctx.signal, timeout]) });
      const address = addressOf(sockets);
      const text = needsBody(s) ? await response.body.text() : (await response.body.dump(), '');
      return judgeResponse(s, response.statusCode, response.headers, text, address);
    } catch (error) {
      const address = addressOf(sockets);
      const reason = timeout.aborted || isTimeout(ctx.signal) ? `timeout after ${timeoutMs}ms` : describeError(error, secrets);
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
function addressOf(sockets: Set<Socket>): string | undefined {
  const addresses = new Set([...sockets].map((socket) => socket.remoteAddress).filter((a) => a !== undefined));
  return addresses.size === 1 ? [...addresses][0] : undefined;
}

function judgeResponse(s: Settings, status: number, headers: Record<string, string | string[] | undefined>, text: string, address: string | undefined): SampleOutcome {
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
