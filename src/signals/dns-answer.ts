import { z } from 'zod';
import { createResolver } from '../net/resolver.js';
import { durationMs } from '../scenario/fields.js';
import type { Observation, Signal } from './signal.js';

export const dnsAnswerSignalSettings = z.strictObject({
  hostname: z.string().min(1),
  nameservers: z.array(z.string().min(1)).min(1),
  interval: durationMs.default(500),
  timeout: durationMs.default(2_000),
});

export type DnsAnswerSignalSettings = z.input<typeof dnsAnswerSignalSettings>;

export const NO_ANSWER = 'NXDOMAIN';

/** Answers that mean "the name has no A records", as opposed to "the DNS did not answer". */
const NO_RECORDS = new Set(['ENOTFOUND', 'ENODATA']);

/**
 * What a name answers at the nameservers, asked fresh each poll: the A records sorted and joined
 * with "," (`127.0.0.20`), or NXDOMAIN. DNS carries no clock, so there is no `since`; a server
 * failure or a timeout throws, which the runner records as unknown.
 */
export function createDnsAnswerSignal(name: string, settings: DnsAnswerSignalSettings): Signal {
  const s = dnsAnswerSignalSettings.parse(settings);
  const resolver = createResolver({ nameservers: s.nameservers, ttl: 'none', timeoutMs: s.timeout });
  return {
    name,
    intervalMs: s.interval,
    async observe(): Promise<Observation> {
      try {
        const { addresses, ttlMs } = await resolver.resolve4(s.hostname);
        return { state: [...addresses].sort().join(','), detail: { hostname: s.hostname, ttlMs } };
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code && NO_RECORDS.has(code)) return { state: NO_ANSWER, detail: { hostname: s.hostname, code } };
        throw new Error(`DNS query for ${s.hostname} failed: ${code ?? (error as Error).message}`);
      }
    },
    async close() {},
  };
}
