import { Agent, request } from 'undici';

/** One HTTP call a fault makes: to a proxy's control API, an application's fault hook, a health URL. */
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
 * reads the whole answer. Errors name the method and the URL, never header values.
 */
export async function sendHttp(call: HttpCall): Promise<HttpAnswer> {
  const timeoutMs = call.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = call.signal ? AbortSignal.any([call.signal, timeout]) : timeout;
  const dispatcher = new Agent();
  const headers = { ...call.headers };
  let body: string | undefined;
  if (call.body !== undefined) {
    body = typeof call.body === 'string' ? call.body : JSON.stringify(call.body);
    if (typeof call.body !== 'string' && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
  }
  try {
    const answer = await request(call.url, { method: call.method as 'GET', headers, body, signal, dispatcher });
    return { status: answer.statusCode, text: await answer.body.text() };
  } catch (error) {
    const why = timeout.aborted ? `no answer within ${timeoutMs}ms` : call.signal?.aborted ? 'aborted' : describeError(error);
    throw new Error(`${describeCall(call)}: ${why}`);
  } finally {
    void dispatcher.destroy();
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
