import type { DnsAnswer } from './dns-server.js';

/**
 * A nameserver's own copy of the answer it serves. Route 53's nameservers answer from the zone
 * they hold, not by calling the Route 53 API; the lab's used to, and two `ListResourceRecordSets`
 * calls to a busy emulator took 15–47 ms per query, most of the first good sample's latency after
 * a failover (the first to resolve the name again). With a copy a query costs no call.
 *
 * The copy is read again whenever the lab changes the zone itself (`refresh`, awaited before the
 * change counts as in sync, as Route 53's `INSYNC` means every nameserver has it), and every
 * `refreshMs` for changes others make: their propagation delay. A read that fails makes the copy
 * fail too, so the server answers SERVFAIL, not a stale answer, while the control plane is down.
 */
export interface AnswerCopy {
  /** The answer of the newest read that finished; throws its error if it failed. */
  current(): DnsAnswer;
  /** Reads the answer now; resolves once the copy holds this read (or a newer one). */
  refresh(): Promise<void>;
  close(): void;
}

type Held = { answer: DnsAnswer } | { error: unknown };

/** Reads the answer once (the copy holds it when this resolves), then every `refreshMs`. */
export async function keepAnswerCopy(read: () => Promise<DnsAnswer>, refreshMs: number): Promise<AnswerCopy> {
  let held: Held = { error: new Error('not read yet') };
  let started = 0;
  let applied = 0;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  // Reads overlap (a refresh during a periodic read): a read that started earlier never replaces a later one's answer.
  const refresh = async () => {
    const sequence = ++started;
    const outcome: Held = await read().then((answer) => ({ answer }), (error: unknown) => ({ error }));
    if (sequence < applied) return;
    applied = sequence;
    held = outcome;
  };
  const schedule = () => {
    if (!closed) timer = setTimeout(() => void refresh().finally(schedule), refreshMs);
  };

  await refresh();
  schedule();
  return {
    current() {
      if ('error' in held) throw held.error;
      return held.answer;
    },
    refresh,
    close() {
      closed = true;
      clearTimeout(timer);
    },
  };
}
