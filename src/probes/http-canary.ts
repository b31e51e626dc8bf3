import { Agent, request } from 'undici';
import type { Clock } from '../core/clock.js';
import type { CanaryEvent } from '../core/timeline.js';
import { createResolver, type ClientResolver, type TtlPolicy } from '../net/resolver.js';
import { redactSecrets } from '../runtime/redact.js';
import { scheduleCanaryWrites } from './canary-schedule.js';

/**
 * The data canary users would be: it writes through the public endpoint (`POST url` with a
 * JSON body `{source, item}`, answered with the committed `{id}`) every `intervalMs`, and
 * remembers each acknowledged id and when it was acknowledged. After recovery it reads each one
 * back through the endpoint (`GET url/:id`) and counts the acknowledged writes that are missing;
 * its newest survivor is the newest write kept from before the first lost one.
 * A row that is there under the same id but holds another item (an id handed out again by a
 * promoted replica) counts as missing too. Requests carry `x-firedrill-canary: NAME`, so a
 * system under test can tell synthetic writes from users'.
 */
export interface HttpCanaryOptions {
  name: string;
  /** The collection, e.g. `http://app.example:8080/orders`. */
  url: string;
  intervalMs: number;
  clock: Clock;
  emit: (event: CanaryEvent) => void;
  /** Deadline of one write or read; default 2 × intervalMs (at least 500 ms for reads). */
  timeoutMs?: number;
  maxInFlight?: number;
  /** Resolve the URL's host at these nameservers, through a client-side cache. */
  resolve?: { nameservers: string[]; ttl: TtlPolicy };
}

export interface HttpCanary {
  start(): void;
  stop(): Promise<void>;
  /** Reads every acknowledged write back through the endpoint; returns the read event (not emitted). */
  read(): Promise<CanaryEvent>;
}

const MIN_READ_TIMEOUT_MS = 500;
const READ_CONCURRENCY = 8;

export function createHttpCanary(options: HttpCanaryOptions): HttpCanary {
  const { name, intervalMs, clock, emit } = options;
  const base = options.url.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? intervalMs * 2;
  const maxInFlight = options.maxInFlight ?? 4;
  const resolver: ClientResolver | undefined = options.resolve ? createResolver({ ...options.resolve, timeoutMs }) : undefined;
  /** seq → the id the endpoint acknowledged and the timeline time of the acknowledgement. */
  const acked = new Map<number, { id: number; t: number }>();
  let lastSeq = 0;

  const itemOf = (seq: number) => `${name}#${seq}`;

  /** One request on a fresh connection: a pooled one may still point at the Region that went dark. */
  async function call(method: 'GET' | 'POST', url: string, deadlineMs: number, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
    const dispatcher = new Agent({ connect: { timeout: deadlineMs, ...(resolver ? { lookup: resolver.lookup } : {}) } });
    try {
      const answer = await request(url, {
        method, dispatcher, signal: AbortSignal.timeout(deadlineMs),
        headers: { 'x-firedrill-canary': name, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await answer.body.text();
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(text) as Record<string, unknown>;
      } catch {
        // not JSON: the status says enough
      }
      return { status: answer.statusCode, json };
    } finally {
      void dispatcher.destroy();
    }
  }

  async function writeOnce(): Promise<void> {
    const seq = ++lastSeq;
    try {
      const { status, json } = await call('POST', base, timeoutMs, { source: name, item: itemOf(seq) });
      if (status !== 201 && status !== 200) throw new Error(`expected 201 with the order id, got ${status}${typeof json.error === 'string' ? `: ${json.error}` : ''}`);
      const id = Number(json.id);
      if (!Number.isSafeInteger(id)) throw new Error(`expected a numeric "id" in the answer, got ${JSON.stringify(json.id)}`);
      const t = clock.now();
      acked.set(seq, { id, t });
      emit({ kind: 'canary', t, canary: name, action: 'write', seq, ok: true });
    } catch (error) {
      emit({ kind: 'canary', t: clock.now(), canary: name, action: 'write', seq, ok: false, error: describe('POST', base, error) });
    }
  }

  /** True when the order is there and is ours; throws when the endpoint cannot say. */
  async function isPresent(seq: number, id: number): Promise<boolean> {
    const { status, json } = await call('GET', `${base}/${id}`, Math.max(timeoutMs, MIN_READ_TIMEOUT_MS));
    if (status === 404) return false;
    if (status !== 200) throw new Error(`GET ${base}/${id}: expected 200 or 404, got ${status}`);
    return (json.order as { item?: unknown } | undefined)?.item === itemOf(seq);
  }

  const writes = scheduleCanaryWrites({ name, intervalMs, maxInFlight, clock, emit, writeOnce });

  return {
    start: () => writes.start(),
    stop: () => writes.stop(),

    async read() {
      const t = clock.now();
      try {
        const entries = [...acked.entries()];
        const present = new Set<number>();
        for (let i = 0; i < entries.length; i += READ_CONCURRENCY) {
          const batch = entries.slice(i, i + READ_CONCURRENCY);
          const found = await Promise.all(batch.map(([seq, { id }]) => isPresent(seq, id)));
          batch.forEach(([seq], j) => { if (found[j]) present.add(seq); });
        }
        const newestSeq = newestBeforeLoss(entries.map(([seq]) => seq), present);
        return {
          kind: 'canary', t, canary: name, action: 'read', ok: true,
          ...(newestSeq === undefined ? {} : { newestSeq, newestCommitT: acked.get(newestSeq)!.t }),
          lost: entries.length - present.size,
        };
      } catch (error) {
        return { kind: 'canary', t, canary: name, action: 'read', ok: false, error: describe('read back through', base, error) };
      }
    },
  };
}

/**
 * The newest surviving write that precedes the first lost one. This canary keeps writing through
 * the endpoint after recovery, and those writes survive on the recovered side too; RPO is about
 * what survived from before the loss, so they must not count as the newest survivor.
 */
function newestBeforeLoss(ackedSeqs: number[], present: Set<number>): number | undefined {
  const firstLost = Math.min(...ackedSeqs.filter((seq) => !present.has(seq)));
  const before = [...present].filter((seq) => seq < firstLost);
  return before.length > 0 ? Math.max(...before) : undefined;
}

function describe(what: string, url: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return redactSecrets(`${what} ${url}: ${message}`).slice(0, 300);
}
