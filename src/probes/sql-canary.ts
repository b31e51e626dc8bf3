import { redactSecrets } from '../runtime/redact.js';
import pg from 'pg';
import { timelineMsOf, type Clock } from '../core/clock.js';
import type { CanaryEvent } from '../core/timeline.js';
import { withPgSession } from '../runtime/pg-session.js';
import { scheduleCanaryWrites } from './canary-schedule.js';

/**
 * The heartbeat-table data canary (DESIGN.md "RPO"). A writer commits a sequence-numbered row to
 * the current primary every `intervalMs`, on a fixed-rate schedule, and remembers when each
 * commit was acknowledged; after failover a reader lists the rows present on the recovered side
 * and counts the acknowledged writes that are missing. One writer per database: `seq` is the key.
 */
export interface SqlCanaryOptions {
  name: string;
  intervalMs: number;
  /** Connection string of the current primary; asked before every write, so failover can change it. */
  writeTo: () => string;
  clock: Clock;
  emit: (event: CanaryEvent) => void;
  /** Deadline of one write, connect included; default 2 × intervalMs. */
  timeoutMs?: number;
  /** Writes allowed in flight at once; a tick beyond it is reported as a failed write. Default 4. */
  maxInFlight?: number;
}

export interface SqlCanary {
  start(): void;
  /** Stops the schedule and waits for the writes in flight to settle. */
  stop(): Promise<void>;
  /** Reads the recovered side, emits the result and returns it. */
  read(connectionString: string): Promise<CanaryEvent>;
}

const TABLE = 'firedrill_canary';
const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS ${TABLE} (seq bigint PRIMARY KEY, committed_at_ms double precision NOT NULL, canary text NOT NULL)`;
const MIN_READ_TIMEOUT_MS = 5_000;
/** Postgres codes for a concurrent CREATE TABLE IF NOT EXISTS losing the race, and for a missing table. */
const ALREADY_CREATED = new Set(['23505', '42P07']);
const UNDEFINED_TABLE = '42P01';

export function createSqlCanary(options: SqlCanaryOptions): SqlCanary {
  const { name, intervalMs, clock, emit } = options;
  const timeoutMs = options.timeoutMs ?? intervalMs * 2;
  const maxInFlight = options.maxInFlight ?? 4;
  /** Timeline time each acknowledged seq was acknowledged at. */
  const acked = new Map<number, number>();
  /** Databases where the table is known to exist and `lastSeq` has caught up with their rows. */
  const prepared = new Set<string>();
  let lastSeq = 0;

  async function prepare(client: pg.Client, connectionString: string): Promise<void> {
    if (prepared.has(connectionString)) return;
    await client.query(CREATE_TABLE).catch((error: { code?: string }) => {
      if (!ALREADY_CREATED.has(error.code ?? '')) throw error;
    });
    const { rows } = await client.query<{ max: string | null }>(`SELECT max(seq)::text AS max FROM ${TABLE}`);
    lastSeq = Math.max(lastSeq, Number(rows[0]?.max ?? 0));
    prepared.add(connectionString);
  }

  async function writeOnce(): Promise<void> {
    let seq: number | undefined;
    let target = '(unknown)';
    try {
      const connectionString = options.writeTo();
      target = connectionString;
      const committed = await withPgSession(connectionString, timeoutMs, async (client) => {
        await prepare(client, connectionString);
        const next = seq = ++lastSeq;
        await client.query(`INSERT INTO ${TABLE} (seq, committed_at_ms, canary) VALUES ($1, $2, $3)`,
          [next, clock.anchorWallMs + clock.now(), name]);
        return next;
      });
      const t = clock.now();
      acked.set(committed, t);
      emit({ kind: 'canary', t, canary: name, action: 'write', seq: committed, ok: true });
    } catch (error) {
      emit({ kind: 'canary', t: clock.now(), canary: name, action: 'write', ...(seq === undefined ? {} : { seq }), ok: false, error: describeError('write to', target, error) });
    }
  }

  const writes = scheduleCanaryWrites({ name, intervalMs, maxInFlight, clock, emit, writeOnce });

  return {
    start: () => writes.start(),
    stop: () => writes.stop(),

    async read(connectionString) {
      const t = clock.now();
      try {
        const rows = await withPgSession(connectionString, Math.max(timeoutMs, MIN_READ_TIMEOUT_MS), readRows);
        const present = new Map(rows.map((r) => [Number(r.seq), r.committed_at_ms]));
        const lost = [...acked.keys()].filter((seq) => !present.has(seq)).length;
        const newestSeq = present.size > 0 ? Math.max(...present.keys()) : undefined;
        const newest = newestSeq === undefined ? {} : {
          newestSeq,
          newestCommitT: acked.get(newestSeq) ?? timelineMsOf(clock, present.get(newestSeq)!),
        };
        return emitted({ kind: 'canary', t, canary: name, action: 'read', ok: true, ...newest, lost });
      } catch (error) {
        return emitted({ kind: 'canary', t, canary: name, action: 'read', ok: false, error: describeError('read from', connectionString, error) });
      }
    },
  };

  async function readRows(client: pg.Client): Promise<Array<{ seq: string; committed_at_ms: number }>> {
    try {
      return (await client.query<{ seq: string; committed_at_ms: number }>(`SELECT seq::text AS seq, committed_at_ms FROM ${TABLE} WHERE canary = $1`, [name])).rows;
    } catch (error) {
      // No table on the recovered side: nothing the writer committed survived.
      if ((error as { code?: string }).code === UNDEFINED_TABLE) return [];
      throw error;
    }
  }

  function emitted(event: CanaryEvent): CanaryEvent {
    emit(event);
    return event;
  }
}

function describeError(what: string, target: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return redactSecrets(`${what} ${target}: ${message}`).slice(0, 300);
}
