import { z } from 'zod';
import type { Clock } from '../core/clock.js';
import { answerProblem, httpExpectationSchema } from '../core/http-expectation.js';
import type { Instant } from '../core/measurement.js';
import { encodeRequest, Http1Connection, http1TargetOf } from './http1-connection.js';

/** One HTTP call a fault or step makes: to a proxy's control API, an application's fault hook, a health URL. */
export interface HttpCall {
  method: string;
  url: string;
  headers?: Record<string, string>;
  /** A string is sent as is; anything else as JSON. */
  body?: unknown;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface HttpAnswer {
  status: number;
  text: string;
}

const DEFAULT_TIMEOUT_MS = 5_000;

/**
 * Sends `call` on a fresh connection (a pooled one may be stuck in the very fault we inject) and
 * reads the whole answer. Errors name the method and the URL, never header values. It goes through
 * the probes' own HTTP/1.1 connection, so a fault's call at inject runs code the probes keep hot
 * rather than a second client's (whose first use costs the probe engine its schedule: bench/README.md).
 */
export async function sendHttp(call: HttpCall): Promise<HttpAnswer> {
  const timeoutMs = call.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const url = new URL(call.url);
  if (call.signal?.aborted) throw new Error(`${describeCall(call)}: aborted`);
  const connection = new Http1Connection(http1TargetOf(url));
  const timer = setTimeout(() => connection.abort(new Error(`no answer within ${timeoutMs}ms`)), timeoutMs);
  const onAbort = () => connection.abort(new Error('aborted'));
  call.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const answer = await connection.exchange({ request: encodeRequest(url, call.method, call.headers ?? {}, call.body), head: false, keepBody: true, keepHeaders: [] });
    return { status: answer.status, text: answer.body };
  } catch (error) {
    throw new Error(`${describeCall(call)}: ${describeError(error)}`);
  } finally {
    clearTimeout(timer);
    call.signal?.removeEventListener('abort', onAbort);
    connection.destroy();
  }
}

/** Throws unless the answer's status is 2xx, quoting the start of the body. */
export function expectSuccess(call: HttpCall, answer: HttpAnswer): HttpAnswer {
  if (answer.status >= 200 && answer.status < 300) return answer;
  throw new Error(`${describeCall(call)}: expected a 2xx answer, got ${answer.status} ${JSON.stringify(answer.text.slice(0, 200))}`);
}

export function describeCall(call: Pick<HttpCall, 'method' | 'url'>): string {
  return `${call.method} ${redactUrl(call.url)}`;
}

/** The URL without credentials or query values, which may hold tokens. */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '<invalid URL>';
  }
  if (parsed.username) parsed.username = '***';
  if (parsed.password) parsed.password = '***';
  for (const key of new Set(parsed.searchParams.keys())) parsed.searchParams.set(key, '***');
  return parsed.toString().replaceAll('%2A%2A%2A', '***');
}

export function isHttpUrl(text: string): boolean {
  try {
    const { protocol } = new URL(text);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

function describeError(error: unknown): string {
  const e = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e.code ?? e.cause?.code;
  const message = e.cause?.message ?? e.message ?? String(error);
  return code && !message.includes(code) ? `${code} ${message}` : message;
}

/** Request headers as a scenario writes them: a value with a line break would write a header of its own. */
export const httpHeaders = z.record(z.string().regex(/^[!#$%&'*+.^_`|~\w-]+$/, 'expected a header name'), z.string().regex(/^[^\r\n\0]*$/, 'expected a header value without line breaks'));

export const httpUrl = z.string().refine(isHttpUrl, { error: (issue) => `expected an http:// or https:// URL, got ${JSON.stringify(issue.input)}` });

/** A call as a scenario writes it (an http-hook's `on` / `off`, an http step's `call` / `undo`). */
export const httpCallSchema = z.strictObject({
  url: httpUrl,
  method: z.enum(['POST', 'PUT', 'DELETE', 'GET']).default('POST'),
  headers: httpHeaders.optional(),
  body: z.unknown().optional(),
});

/** A read-only call that proves something (a fault is off): by default a 2xx answer. */
export const httpCheckSchema = z.strictObject({
  url: httpUrl,
  headers: httpHeaders.optional(),
  expect: httpExpectationSchema.default({}),
});

export type HttpCallSettings = z.output<typeof httpCallSchema>;
export type HttpCheckSettings = z.output<typeof httpCheckSchema>;

/** The call made between two clock readings: it took effect somewhere in between. */
export async function bracketCall(clock: Clock, call: HttpCall): Promise<Instant> {
  const lower = clock.now();
  expectSuccess(call, await sendHttp(call));
  const upper = clock.now();
  return { t: upper, lower, upper };
}

/** Sends the check's GET; throws, naming the call and what the answer was, unless it meets the expectation. */
export async function runCheck(check: HttpCheckSettings, signal: AbortSignal, what: string): Promise<void> {
  const call: HttpCall = { method: 'GET', url: check.url, ...(check.headers ? { headers: check.headers } : {}), signal };
  const answer = await sendHttp(call);
  const problem = answerProblem(answer, check.expect);
  if (problem) throw new Error(`${describeCall(call)}: ${what}: ${problem} (answer ${answer.status} ${JSON.stringify(answer.text.slice(0, 200))})`);
}

/** How a call reads in a plan: header values are redacted, since they often carry credentials. */
export function describePlannedCall(call: Pick<HttpCall, 'method' | 'url' | 'headers' | 'body'>): string {
  const headers = Object.keys(call.headers ?? {}).map((name) => `${name.toLowerCase()}: ***`);
  const parts = [describeCall(call)];
  if (headers.length) parts.push(`headers {${headers.join(', ')}}`);
  if (call.body !== undefined) parts.push(`body ${typeof call.body === 'string' ? call.body : JSON.stringify(call.body)}`);
  return parts.join(' ');
}

/** A check in a plan: the GET and what its answer must be. */
export function describePlannedCheck(check: HttpCheckSettings): string {
  const { status, bodyContains, json } = check.expect;
  const wanted = [
    status === undefined ? 'a 2xx answer' : `status ${Array.isArray(status) ? status.join(' or ') : status}`,
    ...(bodyContains !== undefined ? [`a body containing ${JSON.stringify(bodyContains)}`] : []),
    ...(json ? [`JSON ${JSON.stringify(json)}`] : []),
  ];
  return `${describePlannedCall({ method: 'GET', url: check.url, ...(check.headers ? { headers: check.headers } : {}) })}, expecting ${wanted.join(', ')}`;
}
