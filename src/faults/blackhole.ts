import { z } from 'zod';
import { timelineMsOf, type Clock } from '../core/clock.js';
import { DURATION_HINT, parseDuration } from '../core/duration.js';
import type { JsonObject } from '../core/json.js';
import { exactInstant, type Instant } from '../core/measurement.js';
import type { FaultRequest } from './blackhole-control-api.js';
import type { ProxyState } from './blackhole-proxy.js';
import type { FaultKind } from './fault.js';
import { noAwsCalls } from '../aws/permissions.js';
import { describeCall, expectSuccess, isHttpUrl, sendHttp, type HttpCall } from '../net/http-call.js';

/**
 * A fault set on a blackhole proxy (ours, `firedrill proxy`, or the lab's) through its control
 * API. The fault holds a lease that reverts it by itself unless renewed, so a drill that dies
 * cannot leave a blackhole behind.
 */
const duration = z.string().refine((text) => parseDuration(text) !== undefined, { error: (issue) => `expected ${DURATION_HINT}, got ${JSON.stringify(issue.input)}` });
const httpUrl = z.string().refine(isHttpUrl, { error: (issue) => `expected an http:// or https:// URL, got ${JSON.stringify(issue.input)}` });

const settingsSchema = z.strictObject({
  proxy: httpUrl,
  mode: z.enum(['drop', 'reset', 'latency', 'http-error']),
  latency: duration.optional(),
  jitter: duration.optional(),
  status: z.number().int().min(100).max(599).optional(),
  lease: duration.default('30s'),
  verifyUrl: httpUrl.optional(),
}).superRefine((s, ctx) => {
  if (s.mode === 'latency' && s.latency === undefined) ctx.addIssue({ code: 'custom', path: ['latency'], message: `is required when mode is "latency" (expected ${DURATION_HINT})` });
  for (const field of ['latency', 'jitter'] as const) {
    if (s.mode !== 'latency' && s[field] !== undefined) ctx.addIssue({ code: 'custom', path: [field], message: `only applies when mode is "latency", not "${s.mode}"` });
  }
  if (s.mode !== 'http-error' && s.status !== undefined) ctx.addIssue({ code: 'custom', path: ['status'], message: `only applies when mode is "http-error", not "${s.mode}"` });
});

export type BlackholeSettings = z.output<typeof settingsSchema>;

const CONTROL_TIMEOUT_MS = 5_000;

export const blackholeFault: FaultKind<BlackholeSettings> = {
  kind: 'blackhole',
  settings: settingsSchema,
  permissions: noAwsCalls,

  plan(settings) {
    return [
      `PUT ${faultUrl(settings.proxy)} ${JSON.stringify(faultRequestOf(settings))}`,
      `DELETE ${faultUrl(settings.proxy)} (revert)`,
    ];
  },

  async inject(settings, ctx) {
    const proxy = trimSlash(settings.proxy);
    await ctx.remember({ proxy });
    const state = await callProxy({ method: 'PUT', url: faultUrl(proxy), body: faultRequestOf(settings), signal: ctx.signal });
    ctx.log(`blackhole proxy "${state.name}" is in mode ${state.mode} (lease ${settings.lease})`);
    return {
      at: instantOf(ctx.clock, state),
      state: { proxy, changedAt: state.changedAt },
      detail: { proxy: state.name, upstream: state.upstream },
    };
  },

  async revert(settings, state, ctx) {
    const after = await callProxy({ method: 'DELETE', url: faultUrl(proxyOf(state, settings)), signal: ctx.signal });
    return instantOf(ctx.clock, after);
  },

  async verifyReverted(settings, state, ctx) {
    const proxy = proxyOf(state, settings);
    const now = await callProxy({ method: 'GET', url: `${proxy}/state`, signal: ctx.signal });
    if (now.mode !== 'pass') throw new Error(`blackhole proxy "${now.name}" at ${proxy} is still in mode ${now.mode}, expected pass`);
    if (!settings.verifyUrl) return;
    const call: HttpCall = { method: 'GET', url: settings.verifyUrl, signal: ctx.signal, timeoutMs: CONTROL_TIMEOUT_MS };
    const answer = await sendHttp(call);
    if (answer.status >= 500) throw new Error(`${describeCall(call)} through blackhole proxy "${now.name}" still fails after revert: expected a status below 500, got ${answer.status}`);
  },

  leaseRenewEveryMs: (settings) => renewEveryMs(leaseMsOf(settings)),
  renewLease: (_settings, state, ctx) => renewBlackholeLease(state, ctx.signal),
};

/** Extends the lease of the fault recorded in an injection's state; call it every `renewEveryMs`. */
export async function renewBlackholeLease(state: JsonObject, signal?: AbortSignal): Promise<void> {
  const proxy = state['proxy'];
  if (typeof proxy !== 'string') throw new Error(`blackhole injection state: expected "proxy" to be the control API URL, got ${JSON.stringify(proxy)}`);
  await callProxy({ method: 'POST', url: `${trimSlash(proxy)}/lease/renew`, signal });
}

function faultRequestOf(settings: BlackholeSettings): FaultRequest {
  const leaseMs = leaseMsOf(settings);
  switch (settings.mode) {
    case 'latency':
      return { mode: 'latency', latencyMs: msOf(settings.latency ?? '0ms'), jitterMs: msOf(settings.jitter ?? '0ms'), leaseMs };
    case 'http-error':
      return settings.status === undefined ? { mode: 'http-error', leaseMs } : { mode: 'http-error', status: settings.status, leaseMs };
    default:
      return { mode: settings.mode, leaseMs };
  }
}

/** Renew three times per lease, so one late or failed renewal does not let the fault lapse. */
function renewEveryMs(leaseMs: number): number {
  return Math.max(1, Math.floor(leaseMs / 3));
}

function leaseMsOf(settings: BlackholeSettings): number {
  return msOf(settings.lease);
}

function msOf(text: string): number {
  return Math.round(parseDuration(text)!);
}

async function callProxy(call: Omit<HttpCall, 'timeoutMs'>): Promise<ProxyState> {
  const full = { ...call, timeoutMs: CONTROL_TIMEOUT_MS };
  const answer = expectSuccess(full, await sendHttp(full));
  try {
    return JSON.parse(answer.text) as ProxyState;
  } catch {
    throw new Error(`${describeCall(full)}: expected the proxy state as JSON, got ${JSON.stringify(answer.text.slice(0, 200))}`);
  }
}

function instantOf(clock: Clock, state: ProxyState): Instant {
  return exactInstant(timelineMsOf(clock, state.changedAt));
}

/** The journal's proxy URL wins: it is the one the fault was really set on. */
function proxyOf(state: JsonObject, settings: BlackholeSettings): string {
  return trimSlash(typeof state['proxy'] === 'string' ? state['proxy'] : settings.proxy);
}

function faultUrl(proxy: string): string {
  return `${trimSlash(proxy)}/fault`;
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
