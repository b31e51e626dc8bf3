import type { DrillResult } from '../runner/result.js';
import { FiredrillError } from '../runtime/errors.js';
import { signStatement, type Signer } from './dsse.js';
import { chainAfter, isSignOff, type ChainRecord, type HistoryEntry, type HistoryFilter, type HistoryRecord, type HistoryStore, type SignOffRecord } from './history.js';
import { readRecord, statementFor, type ReadRecord } from './history-record.js';

/** The drill records of a chain read back (what reports read), optionally of one scenario or environment. */
export function drillRecordsOf(chain: readonly ReadRecord[], filter: HistoryFilter = {}): HistoryRecord[] {
  return chain.map((r) => r.record).filter((r): r is HistoryRecord => !isSignOff(r))
    .filter((e) => (!filter.scenario || e.scenario === filter.scenario) && (!filter.environment || e.environment === filter.environment));
}

/** The drill results the records carry, by drill id: a shared history's evidence when the runners' files are gone. */
export function recordedResultsOf(chain: readonly ReadRecord[]): Map<string, DrillResult> {
  return new Map(chain.flatMap((r) => (r.result ? [[r.record.drillId, r.result] as const] : [])));
}

/** How often an append retries when other writers keep taking the next place: more than the writers that can race for it. */
const MAX_APPEND_ATTEMPTS = 200;

/**
 * The history over a store: appends chain each record after the newest one and sign it; a
 * writer that finds its place taken (another CI job was first) re-reads what came since and
 * tries the next place, so concurrent writers leave one unbroken chain and no lock is needed.
 */
export class DrillHistory {
  /** `signer` signs the drill records this history appends; a history only read needs none. */
  constructor(readonly store: HistoryStore, private readonly signer?: Signer) {}

  get location(): string {
    return this.store.location;
  }

  async check(): Promise<void> {
    await this.store.check?.();
  }

  async append(entry: HistoryEntry, result?: DrillResult): Promise<HistoryRecord> {
    if (!this.signer) throw new Error(`${this.location}: opened to read, without a signing key`);
    return this.appendChained<HistoryRecord>((previous) => chainAfter<HistoryRecord>({ ...entry }, previous), this.signer, result);
  }

  /** The approver's sign-off of a drill's record, signed with the approver's own key. */
  async signOff(options: { drillId: string; by: string; signer: Signer; at?: Date }): Promise<SignOffRecord> {
    const drill = (await this.chain()).map((r) => r.record).filter((r) => !isSignOff(r) && r.drillId === options.drillId).at(-1);
    if (!drill) throw new FiredrillError('FIREDRILL_USAGE', `${this.location}: no drill ${options.drillId} in the history`);
    const at = (options.at ?? new Date()).toISOString();
    return this.appendChained<SignOffRecord>((previous) => chainAfter<SignOffRecord>({ kind: 'sign-off', drillId: options.drillId, approves: { seq: drill.seq, sha256: drill.sha256 }, by: options.by, at }, previous), options.signer);
  }

  /** Every record in chain order, sign-offs included, with its envelope. */
  async chain(): Promise<ReadRecord[]> {
    return (await this.store.read()).map(readRecord);
  }

  /** The drill records (what reports read), optionally of one scenario or environment. */
  async list(filter: HistoryFilter = {}): Promise<HistoryRecord[]> {
    return drillRecordsOf(await this.chain(), filter);
  }

  private async appendChained<R extends ChainRecord>(make: (previous: ChainRecord | undefined) => R, signer: Signer, result?: DrillResult): Promise<R> {
    const stored = await this.store.newest();
    let newest = stored && readRecord(stored).record;
    for (let attempt = 1; attempt <= MAX_APPEND_ATTEMPTS; attempt++) {
      const record = make(newest);
      const envelope = await signStatement(statementFor(record, result), signer);
      if (await this.store.create(record.seq, JSON.stringify(envelope))) return record;
      newest = (await this.store.read({ fromSeq: record.seq })).map(readRecord).at(-1)?.record ?? newest;
    }
    throw new Error(`${this.location}: could not append after ${MAX_APPEND_ATTEMPTS} attempts: other writers kept taking the next place`);
  }
}
