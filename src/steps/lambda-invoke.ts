import { InvokeCommand, type InvokeCommandOutput, type LambdaClient } from '@aws-sdk/client-lambda';
import { z } from 'zod';
import { lambdaClient, recordingInto, type AwsTarget } from '../aws/clients.js';
import { arnsIn, isArn, type PermissionScope } from '../aws/permissions.js';
import type { JsonObject, JsonValue } from '../core/json.js';
import type { FaultContext, FaultKind } from '../faults/fault.js';

const json: z.ZodType<JsonValue> = z.lazy(() => z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(json), z.record(z.string(), json)]));

export const lambdaInvokeSettings = z.strictObject({
  /** A function name or ARN (a qualified ARN or `qualifier` picks a version or alias). */
  functionName: z.string().min(1),
  region: z.string().min(1),
  qualifier: z.string().min(1).optional(),
  payload: json.default({}),
  /** Invoked on revert (the unpin, say); without it, revert does nothing. */
  undoPayload: json.optional(),
});

export type LambdaInvokeSettings = z.output<typeof lambdaInvokeSettings>;

/** The longest answer kept in the journal and the timeline, in characters. */
const ANSWER_KEPT = 4_000;

/**
 * A recovery step: invoke a Lambda function and wait for its answer — the function that pins
 * the PRIMARY record after failover, or any runbook function. A function error fails the step.
 * The payload and the function's answer are kept as the step's evidence; `at` is bracketed
 * between sending the call and its answer.
 */
export function createLambdaInvoke(resolveTarget: (region: string) => AwsTarget): FaultKind<LambdaInvokeSettings> {
  const label = (s: LambdaInvokeSettings) => `${s.functionName}${s.qualifier ? `:${s.qualifier}` : ''} (${s.region})`;

  return {
    kind: 'lambda-invoke',
    settings: lambdaInvokeSettings,
    permissions: (s, scope) => [{ purpose: 'InvokeRunbookFunction', actions: ['lambda:InvokeFunction'], resources: functionArns(s, scope) }],
    plan(s) {
      return [
        `lambda:Invoke ${label(s)} with ${JSON.stringify(s.payload)}, waiting for its answer`,
        s.undoPayload === undefined ? 'no revert: no undoPayload given' : `lambda:Invoke ${label(s)} with ${JSON.stringify(s.undoPayload)}, on revert`,
      ];
    },
    async inject(s, ctx) {
      await ctx.remember({ invoked: true });
      const lower = ctx.clock.now();
      const answer = await invoke(s, s.payload, ctx);
      const upper = ctx.clock.now();
      const evidence = { payload: s.payload, statusCode: answer.StatusCode ?? null, executedVersion: answer.ExecutedVersion ?? null, answer: answerOf(answer) };
      return { at: { t: upper, lower, upper }, state: { invoked: true, evidence }, detail: { function: label(s), ...evidence } };
    },
    async revert(s, _state, ctx) {
      if (s.undoPayload === undefined) return;
      const lower = ctx.clock.now();
      await invoke(s, s.undoPayload, ctx);
      const upper = ctx.clock.now();
      return { t: upper, lower, upper };
    },
    /** An undo that answered without a function error is all Lambda can tell. */
    async verifyReverted() {},
    async evidence(_s, state) {
      return (state.evidence ?? {}) as JsonObject;
    },
  };

  async function invoke(s: LambdaInvokeSettings, payload: JsonValue, ctx: FaultContext): Promise<InvokeCommandOutput> {
    const client: LambdaClient = lambdaClient(recordingInto(resolveTarget(s.region), ctx.awsChanges));
    try {
      const answer = await client.send(new InvokeCommand({
        FunctionName: s.functionName,
        ...(s.qualifier ? { Qualifier: s.qualifier } : {}),
        InvocationType: 'RequestResponse',
        Payload: new TextEncoder().encode(JSON.stringify(payload)),
      }), { abortSignal: ctx.signal });
      if (answer.FunctionError) throw new Error(`lambda:Invoke ${label(s)} answered a function error (${answer.FunctionError}): ${JSON.stringify(answerOf(answer))}`);
      return answer;
    } finally {
      client.destroy();
    }
  }
}

/**
 * The function (version or alias) invoked: Lambda authorizes an invocation with a qualifier on
 * the qualified ARN only. `functionName` is a name (`pin` or `pin:live`), a partial ARN
 * (`123456789012:function:pin`) or an ARN.
 */
function functionArns(s: LambdaInvokeSettings, scope: PermissionScope): string[] {
  const qualified = s.qualifier ? `${s.functionName}:${s.qualifier}` : s.functionName;
  if (isArn(qualified)) return [qualified];
  const partial = /^(\d{12}):function:(.+)$/.exec(qualified);
  if (partial) return [`arn:aws:lambda:${s.region}:${partial[1]}:function:${partial[2]}`];
  return arnsIn(scope, 'lambda', s.region, `function:${qualified}`);
}

/** The function's answer: its JSON, or its text when it is not JSON, cut to ANSWER_KEPT. */
function answerOf(answer: InvokeCommandOutput): JsonValue {
  const text = new TextDecoder().decode(answer.Payload ?? new Uint8Array());
  if (text.length > ANSWER_KEPT) return `${text.slice(0, ANSWER_KEPT)}… (${text.length} characters)`;
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return text;
  }
}
