import { appendFileSync } from 'node:fs';

/**
 * What the lab really did, in wall-clock milliseconds, written as it happens to
 * `ground-truth.ndjson`. Tests and benchmarks compare the harness's outside view with it.
 */
export type TruthEvent =
  | 'fault-on' | 'fault-off'
  | 'detected' | 'decided' | 'dns-switched' | 'first-recovery-serve'
  | 'promotion-start' | 'promotion-end' | 'scale-up-start' | 'scale-up-end'
  | 'restore-start' | 'restore-end' | 'failback';

export interface TruthRecord {
  event: TruthEvent;
  wallMs: number;
  detail?: Record<string, unknown>;
}

export class GroundTruth {
  readonly records: TruthRecord[] = [];

  constructor(readonly file: string | undefined) {}

  record(event: TruthEvent, wallMs = Date.now(), detail?: Record<string, unknown>): TruthRecord {
    const record: TruthRecord = { event, wallMs, ...(detail ? { detail } : {}) };
    this.records.push(record);
    if (this.file) appendFileSync(this.file, JSON.stringify(record) + '\n');
    return record;
  }

  /** The first record of `event` at or after `sinceWallMs`. */
  first(event: TruthEvent, sinceWallMs = 0): TruthRecord | undefined {
    return this.records.find((r) => r.event === event && r.wallMs >= sinceWallMs);
  }
}
