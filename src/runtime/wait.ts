import { createServer } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

/**
 * Polls `condition` until it holds or the deadline passes. For waiting on something that has no
 * event to subscribe to (a server coming up, a replica catching up); the poll interval is not
 * a synchronisation guess, the condition is.
 */
export async function waitFor(condition: () => Promise<boolean> | boolean, options: { timeoutMs: number; intervalMs?: number; what: string; signal?: AbortSignal }): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() >= deadline) throw new Error(`timed out after ${options.timeoutMs}ms waiting for ${options.what}`);
    options.signal?.throwIfAborted();
    await delay(options.intervalMs ?? 50, undefined, options.signal ? { signal: options.signal } : undefined);
  }
}

/** A port that was free a moment ago on `host`: `candidate` when given (rejects if it is taken), else one the kernel picks. */
export async function freePort(host = '127.0.0.1', candidate = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(candidate, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Settles like `promise`, or rejects with the signal's reason as soon as it is aborted. */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
