import { z } from 'zod';
import { durationMs } from '../scenario/fields.js';
import type { Probe, SampleOutcome } from './probe.js';
import { createResolver } from '../net/resolver.js';

export const dnsProbeSettings = z.strictObject({
  hostname: z.string().min(1),
  nameservers: z.array(z.string().min(1)).min(1),
  /** The A records the name must answer with, in any order. */
  expect: z.array(z.string().min(1)).min(1).optional(),
  interval: durationMs.default(500),
  timeout: durationMs.default(2_000),
  vantage: z.string().min(1).optional(),
});

export type DnsProbeSettings = z.input<typeof dnsProbeSettings>;

/** Does the name resolve (to what it should)? Asked fresh every sample: no client cache. */
export function createDnsProbe(name: string, settings: DnsProbeSettings): Probe {
  const s = dnsProbeSettings.parse(settings);
  const timeoutMs = s.timeout;
  const resolver = createResolver({ nameservers: s.nameservers, ttl: 'none', timeoutMs });
  const expected = s.expect ? [...s.expect].sort() : undefined;
  return {
    name,
    intervalMs: s.interval,
    timeoutMs,
    ...(s.vantage ? { vantage: s.vantage } : {}),
    async sample(ctx): Promise<SampleOutcome> {
      try {
        // node:dns has no per-query abort; racing the signal stops waiting on a dead server.
        const { addresses } = await abortable(resolver.resolve4(s.hostname), ctx.signal);
        const answers = [...addresses].sort();
        const matches = !expected || (answers.length === expected.length && answers.every((a, i) => a === expected[i]));
        return {
          ok: matches,
          ...(matches ? {} : { error: `expected ${expected!.join(',')}, got ${answers.join(',')}` }),
          detail: { answers },
        };
      } catch (error) {
        return { ok: false, error: ctx.signal.aborted ? `timeout after ${timeoutMs}ms` : (error as NodeJS.ErrnoException).code ?? (error as Error).message, detail: { answers: [] } };
      }
    },
    async close() {},
  };
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
