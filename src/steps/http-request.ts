import { z } from 'zod';
import { answerProblem, httpExpectationSchema, type HttpExpectation } from '../core/http-expectation.js';
import type { FaultContext, FaultKind } from '../faults/fault.js';
import { noAwsCalls } from '../aws/permissions.js';
import { describeCall, describePlannedCall, describePlannedCheck, httpCallSchema, httpCheckSchema, runCheck, sendHttp, type HttpCallSettings } from '../net/http-call.js';

export const httpStepSettings = z.strictObject({
  /** The call that makes the change: a failover endpoint, a runbook webhook, a reset. */
  call: httpCallSchema,
  /** What its answer must be (default any 2xx); anything else fails the step. */
  expect: httpExpectationSchema.default({}),
  /** The call that undoes it, on revert (the failback); without it, revert does nothing. */
  undo: httpCallSchema.optional(),
  /** A read-only call that proves the undo took (by status, body or a JSON field). */
  verify: httpCheckSchema.optional(),
});

export type HttpStepSettings = z.output<typeof httpStepSettings>;

/** The longest answer kept as the step's evidence, in characters. */
const ANSWER_KEPT = 2_000;

/**
 * A recovery step for a system outside AWS: an HTTP call with an optional undo call and an
 * optional verify, e.g. a controller's `POST /failover` and `POST /failback`. `at` is bracketed
 * between sending the call and its answer; the answer is the step's evidence.
 */
export const httpStep: FaultKind<HttpStepSettings> = {
  kind: 'http',
  settings: httpStepSettings,
  permissions: noAwsCalls,

  plan(s) {
    return [
      describePlannedCall(s.call),
      s.undo ? `${describePlannedCall(s.undo)} (revert)` : 'no revert: no undo call given',
      ...(s.verify ? [`${describePlannedCheck(s.verify)} (verify the revert; read-only)`] : []),
    ];
  },

  async inject(s, ctx) {
    await ctx.remember({ called: describeCall(s.call) });
    const { lower, upper, status, text } = await callExpecting(s.call, s.expect, ctx);
    const evidence = { status, answer: text.slice(0, ANSWER_KEPT) };
    return { at: { t: upper, lower, upper }, state: { evidence }, detail: { call: describeCall(s.call), ...evidence } };
  },

  async revert(s, _state, ctx) {
    if (!s.undo) return;
    const { lower, upper } = await callExpecting(s.undo, {}, ctx);
    return { t: upper, lower, upper };
  },

  async verifyReverted(s, _state, ctx) {
    if (s.verify) await runCheck(s.verify, ctx.signal, 'the undo did not take');
  },
};

async function callExpecting(call: HttpCallSettings, expected: HttpExpectation, ctx: FaultContext) {
  const lower = ctx.clock.now();
  const answer = await sendHttp({ ...call, signal: ctx.signal });
  const upper = ctx.clock.now();
  const problem = answerProblem(answer, expected);
  if (problem) throw new Error(`${describeCall(call)}: ${problem} (answer ${answer.status} ${JSON.stringify(answer.text.slice(0, 200))})`);
  return { lower, upper, ...answer };
}
