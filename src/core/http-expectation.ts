import { z } from 'zod';
import { jsonConditionSchema, matchesCondition, readJsonPath, type JsonCondition } from './json-path.js';

/** What an HTTP answer must be: a status (default any 2xx), text in its body, a JSON field's value. */
export const httpExpectationSchema = z.strictObject({
  status: z.union([z.number().int(), z.array(z.number().int()).min(1)]).optional(),
  bodyContains: z.string().optional(),
  json: jsonConditionSchema.optional(),
});

export type HttpExpectation = z.infer<typeof httpExpectationSchema>;

/** An answer as read: its status, its body, and (when the caller parsed it already) its JSON. */
export interface HttpAnswerRead {
  status: number;
  text: string;
  json?: { value: unknown } | { error: string };
}

/** Why the answer does not meet `expected`, or undefined when it does. */
export function answerProblem(answer: HttpAnswerRead, expected: HttpExpectation): string | undefined {
  return statusProblem(expected.status, answer.status)
    ?? (expected.bodyContains !== undefined && !answer.text.includes(expected.bodyContains) ? `expected body to contain ${JSON.stringify(expected.bodyContains)}` : undefined)
    ?? (expected.json ? jsonProblem(answer.json ?? parseJson(answer.text), expected.json) : undefined);
}

/** Parses a body once, for callers that read the JSON for more than the expectation (a Region field). */
export function parseJson(text: string): { value: unknown } | { error: string } {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch {
    return { error: 'expected a JSON body, got something else' };
  }
}

function statusProblem(expected: number | number[] | undefined, status: number): string | undefined {
  if (expected === undefined) return status >= 200 && status < 300 ? undefined : `expected status 2xx, got ${status}`;
  const allowed = Array.isArray(expected) ? expected : [expected];
  return allowed.includes(status) ? undefined : `expected status ${allowed.join(' or ')}, got ${status}`;
}

function jsonProblem(json: { value: unknown } | { error: string }, cond: JsonCondition): string | undefined {
  if ('error' in json) return json.error;
  if (matchesCondition(json.value, cond)) return undefined;
  const { path, ...test } = cond;
  const found = JSON.stringify(readJsonPath(json.value, path)) ?? 'nothing';
  return `expected JSON ${JSON.stringify(path)} to match ${JSON.stringify(test)}, got ${found.slice(0, 80)}`;
}
