import { randomUUID } from 'node:crypto';
import { timelineMsOf, type Clock } from '../core/clock.js';
import type { CanaryEvent } from '../core/timeline.js';
import { scheduleCanaryWrites } from './canary-schedule.js';

/** One store a canary writes to (the primary) or reads back from (the replica in the recovery Region). */
export interface CanaryStore {
  /** Where, for messages: `s3://bucket/prefix`, `dynamodb:table (region)`. */
  readonly label: string;
  /** Writes record `seq` of run `runId`, acknowledged when this resolves. */
  write(record: { runId: string; seq: number; committedAtMs: number }, abortSignal: AbortSignal): Promise<void>;
  /** Every record of run `runId` present in the store: seq → the wall-clock ms it was committed at. */
  readPresent(runId: string, abortSignal: AbortSignal): Promise<Map<number, number>>;
  /** Releases the store's client. */
  close(): void;
}

export interface ReplicatedStoreCanary {
  start(): void;
  stop(): Promise<void>;
  read(): Promise<CanaryEvent>;
}

/**
 * An RPO canary over a store that AWS replicates between Regions (S3 replication, a DynamoDB
 * global table): sequence-numbered records written to the primary on a fixed-rate schedule,
 * each remembered when acknowledged; after recovery, the replica says which survived. Records
 * are keyed by a run id of their own, so drills sharing a bucket or table never count each other's.
 */
export function createReplicatedStoreCanary(options: {
  name: string;
  intervalMs: number;
  timeoutMs: number;
  primary: CanaryStore;
  /** Opened when the recovered side is read, after the writes have stopped; closed after. */
  openReplica: () => CanaryStore;
  clock: Clock;
  emit: (event: CanaryEvent) => void;
  maxInFlight?: number;
}): ReplicatedStoreCanary {
  const { name, clock, emit } = options;
  const acked = new Map<number, number>();
  const runId = randomUUID();
  let lastSeq = 0;

  async function writeOnce(): Promise<void> {
    const seq = ++lastSeq;
    try {
      await options.primary.write({ runId, seq, committedAtMs: clock.anchorWallMs + clock.now() }, AbortSignal.timeout(options.timeoutMs));
      const t = clock.now();
      acked.set(seq, t);
      emit({ kind: 'canary', t, canary: name, action: 'write', seq, ok: true });
    } catch (error) {
      emit({ kind: 'canary', t: clock.now(), canary: name, action: 'write', seq, ok: false, error: `write to ${options.primary.label}: ${(error as Error).message}`.slice(0, 300) });
    }
  }

  const writes = scheduleCanaryWrites({ name, intervalMs: options.intervalMs, maxInFlight: options.maxInFlight ?? 4, clock, emit, writeOnce });

  return {
    start: () => writes.start(),
    async stop() {
      await writes.stop();
      options.primary.close();
    },
    async read() {
      const t = clock.now();
      const replica = options.openReplica();
      try {
        const present = await replica.readPresent(runId, AbortSignal.timeout(Math.max(options.timeoutMs, 5_000)));
        const lost = [...acked.keys()].filter((seq) => !present.has(seq)).length;
        const newestSeq = present.size ? Math.max(...present.keys()) : undefined;
        const newest = newestSeq === undefined ? {} : { newestSeq, newestCommitT: acked.get(newestSeq) ?? timelineMsOf(clock, present.get(newestSeq)!) };
        return { kind: 'canary', t, canary: name, action: 'read', ok: true, ...newest, lost };
      } catch (error) {
        return { kind: 'canary', t, canary: name, action: 'read', ok: false, error: `read from ${replica.label}: ${(error as Error).message}`.slice(0, 300) };
      } finally {
        replica.close();
      }
    },
  };
}
