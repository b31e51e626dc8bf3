import { z } from 'zod';
import type { FaultKind } from './fault.js';
import { noAwsCalls } from '../aws/permissions.js';
import { bracketCall, describeCall, describePlannedCall, describePlannedCheck, httpCallSchema, httpCheckSchema, runCheck, type HttpCheckSettings } from '../net/http-call.js';

/**
 * An application's own fault endpoint: one call switches the fault on, another switches it off,
 * and an optional read-only call proves it is off — by its status, its body or a JSON field
 * (`{"chaos": true}` with a 200 is still a fault that is on).
 */
const verifySchema = httpCheckSchema.extend({
  /** The status alone, as before `expect` existed: `expectStatus: 200` is `expect: { status: 200 }`. */
  expectStatus: z.number().int().min(100).max(599).optional(),
}).transform(({ expectStatus, ...check }): HttpCheckSettings => (expectStatus === undefined ? check : { ...check, expect: { ...check.expect, status: expectStatus } }));

const settingsSchema = z.strictObject({
  on: httpCallSchema,
  off: httpCallSchema,
  verify: verifySchema.optional(),
});

export type HttpHookSettings = z.output<typeof settingsSchema>;

export const httpHookFault: FaultKind<HttpHookSettings> = {
  kind: 'http-hook',
  settings: settingsSchema,
  permissions: noAwsCalls,

  plan(settings) {
    return [
      describePlannedCall(settings.on),
      `${describePlannedCall(settings.off)} (revert)`,
      ...(settings.verify ? [`${describePlannedCheck(settings.verify)} (verify the revert; read-only)`] : []),
    ];
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
    if (settings.verify) await runCheck(settings.verify, ctx.signal, 'fault hook still in effect');
  },
};
