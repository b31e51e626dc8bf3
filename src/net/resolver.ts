import { Resolver } from 'node:dns/promises';
import { isIP, type LookupFunction } from 'node:net';

/**
 * How long a client keeps an answer: `honour` the record's TTL (what a stub resolver or a
 * browser does, so a DNS failover reaches the probe when it reaches users), a fixed time
 * (a client that pins answers longer than it should), or `none` (ask every time).
 */
export type TtlPolicy = 'honour' | { fixedMs: number } | 'none';

export interface ResolverOptions {
  /** `host` or `host:port` (IPv6 as `[::1]:port`). */
  nameservers: string[];
  ttl: TtlPolicy;
  /** Per query; defaults to 2s. */
  timeoutMs?: number;
}

export interface Resolution {
  addresses: string[];
  /** The record's TTL less the time the answer has sat in the cache (0 for literals and localhost). */
  ttlMs: number;
  fromCache: boolean;
}

export interface ClientResolver {
  resolve4(hostname: string): Promise<Resolution>;
  /** For `net.connect({ lookup })` and undici's `connect.lookup`; answers from the same cache. */
  lookup: LookupFunction;
  clear(): void;
}

interface CacheEntry {
  addresses: string[];
  ttlMs: number;
  receivedAt: number;
  expiresAt: number;
}

/** Name resolution as a client sees it: against chosen nameservers, through a client-side cache. */
export function createResolver(options: ResolverOptions): ClientResolver {
  const resolver = new Resolver({ timeout: options.timeoutMs ?? 2_000, tries: 1 });
  resolver.setServers(options.nameservers);
  const cache = new Map<string, CacheEntry>();

  async function query(name: string): Promise<CacheEntry> {
    const records = await resolver.resolve4(name, { ttl: true });
    const ttlMs = Math.min(...records.map((r) => r.ttl)) * 1_000;
    const receivedAt = performance.now();
    const keepMs = options.ttl === 'honour' ? ttlMs : options.ttl === 'none' ? 0 : options.ttl.fixedMs;
    return { addresses: records.map((r) => r.address), ttlMs, receivedAt, expiresAt: receivedAt + keepMs };
  }

  async function resolve4(hostname: string): Promise<Resolution> {
    const name = hostname.toLowerCase().replace(/\.$/, '');
    if (isIP(name)) return { addresses: [name], ttlMs: 0, fromCache: false };
    if (name === 'localhost') return { addresses: ['127.0.0.1'], ttlMs: 0, fromCache: false };
    const now = performance.now();
    const cached = cache.get(name);
    if (cached && now < cached.expiresAt) {
      return { addresses: cached.addresses, ttlMs: Math.max(0, cached.ttlMs - (now - cached.receivedAt)), fromCache: true };
    }
    const entry = await query(name);
    if (entry.expiresAt > entry.receivedAt) cache.set(name, entry);
    else cache.delete(name);
    return { addresses: entry.addresses, ttlMs: entry.ttlMs, fromCache: false };
  }

  const lookup: LookupFunction = (hostname, lookupOptions, callback) => {
    resolve4(hostname).then(({ addresses }) => {
      if (lookupOptions.all) callback(null, addresses.map((address) => ({ address, family: isIP(address) })));
      else callback(null, addresses[0]!, isIP(addresses[0]!));
    }, (error: NodeJS.ErrnoException) => callback(error, '', 0));
  };

  return { resolve4, lookup, clear: () => cache.clear() };
}
