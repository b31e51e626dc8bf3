import { z } from 'zod';
import type { Clock } from '../core/clock.js';
import type { Instant } from '../core/measurement.js';
import type { FaultKind } from './fault.js';
import { describeCall, expectSuccess, isHttpUrl, sendHttp, type HttpCall } from './http-call.js';

/**
 * An application's own fault endpoint: one call switches the fault on, another switches it off,
 * and an optional read-only call proves it is off.
 */
const httpUrl = z.string().refine(isHttpUrl, { error: (issue) => `expected an http:// or https:// URL, got ${JSON.stringify(issue.input)}` });

const callSchema = z.strictObject({
  url: httpUrl,
  method: z.enum(['POST', 'PUT', 'DELETE', 'GET']).default('POST'),
  headers: z.record(z.string(), z.string()).optional(),
  body: z.unknown().optional(),
});

const settingsSchema = z.strictObject({
  on: callSchema,
  off: callSchema,
  verify: z.strictObject({ url: httpUrl, expectStatus: z.number().int().min(100).max(599).optional() }).optional(),
});

export type HttpHookCall = z.output<typeof callSchema>;
export type HttpHookSettings = z.output<typeof settingsSchema>;

export const httpHookFault: FaultKind<HttpHookSettings> = {
  kind: 'http-hook',
  settings: settingsSchema,

  plan(settings) {
    return [describeHookCall(settings.on), `${describeHookCall(settings.off)} (revert)`];
  },

  async inject(settings, ctx) {
    await ctx.remember({ on: describeCall(settings.on) });
    const at = await bracketCall(ctx.clock, { ...settings.on, signal: ctx.signal });
    return { at, state: { injectedAt: at.t } };
  },

  async revert(settings, _state, ctx) {
    return bracketCall(ctx.clock, { ...settings.off, signal: ctx.signal });
  },

  async verifyReverted(settings, _state, ctx) {
    if (!settings.verify) return;
    const call: HttpCall = { method: 'GET', url: settings.verify.url, signal: ctx.signal };
    const answer = await sendHttp(call);
    const { expectStatus } = settings.verify;
    const ok = expectStatus === undefined ? answer.status >= 200 && answer.status < 300 : answer.status === expectStatus;
    if (!ok) throw new Error(`${describeCall(call)}: fault hook still in effect: expected ${expectStatus ?? 'a 2xx'} answer, got ${answer.status}`);
  },
};

/** The call made between two clock readings: it took effect somewhere in between. */
async function bracketCall(clock: Clock, call: HttpCall): Promise<Instant> {
  const lower = clock.now();
  expectSuccess(call, await sendHttp(call));
  const upper = clock.now();
  return { t: upper, lower, upper };
}

/** How a call reads in a plan: header values are redacted, since they often carry credentials. */
function describeHookCall(call: HttpHookCall): string {
  const headers = Object.keys(call.headers ?? {}).map((name) => `${name.toLowerCase()}: ***`);
  const parts = [describeCall(call)];
  if (headers.length) parts.push(`headers {${headers.join(', ')}}`);
  if (call.body !== undefined) parts.push(`body ${typeof call.body === 'string' ? call.body : JSON.stringify(call.body)}`);
  return parts.join(' ');
}
