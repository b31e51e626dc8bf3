import type { DrillResult } from '../runner/result.js';
import { isEnvelope, STATEMENT_TYPE, statementOf, type DsseEnvelope, type Statement } from './dsse.js';
import { CorruptHistoryError, isSignOff, type ChainRecord, type HistoryRecord, type StoredRecord } from './history.js';

/**
 * How a record is stored: a DSSE envelope over an in-toto Statement. A drill record's subjects
 * are its `result.json` and artefacts (by SHA-256) and its predicate the chain record and the
 * whole drill result (provenance included), so the evidence outlives the runner's files. A
 * sign-off's subject is the drill record it approves. Lines written before records were signed
 * (a plain record) are still read, as unsigned.
 */
export const DRILL_PREDICATE_TYPE = 'https://firedrill.dev/attestation/drill-record/v1';
export const SIGN_OFF_PREDICATE_TYPE = 'https://firedrill.dev/attestation/sign-off/v1';

export interface RecordPredicate {
  record: ChainRecord;
  /** A drill record's full result, as in its `result.json`. */
  result?: DrillResult;
}

/** A stored record read back: the chain record, the envelope it came in (null: unsigned), and where it is. */
export interface ReadRecord {
  record: ChainRecord;
  envelope: DsseEnvelope | null;
  /** The drill result in a drill record's envelope. */
  result?: DrillResult;
  where: string;
  storeProblems: string[];
}

export function statementFor(record: ChainRecord, result?: DrillResult): Statement<RecordPredicate> {
  if (isSignOff(record)) {
    return { _type: STATEMENT_TYPE, subject: [{ name: `history/${record.approves.seq}`, digest: { sha256: record.approves.sha256 } }], predicateType: SIGN_OFF_PREDICATE_TYPE, predicate: { record } };
  }
  const subject = [{ name: `${record.drillId}/result.json`, digest: { sha256: record.result.sha256 } }, ...(record.artifacts ?? []).map((a) => ({ name: `${record.drillId}/${a.path}`, digest: { sha256: a.sha256 } }))];
  return { _type: STATEMENT_TYPE, subject, predicateType: DRILL_PREDICATE_TYPE, predicate: { record, ...(result ? { result } : {}) } };
}

export function readRecord(stored: StoredRecord): ReadRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stored.body);
  } catch {
    throw new CorruptHistoryError(stored.where, 'not a JSON record (edited by hand?)');
  }
  const base = { where: stored.where, storeProblems: stored.problems };
  if (!isEnvelope(parsed)) return { ...base, record: parsed as HistoryRecord, envelope: null };
  let statement: Statement<RecordPredicate>;
  try {
    statement = statementOf<RecordPredicate>(parsed);
  } catch {
    throw new CorruptHistoryError(stored.where, 'the envelope\'s payload is not a JSON in-toto statement (edited by hand?)');
  }
  if (typeof statement.predicate?.record?.seq !== 'number') throw new CorruptHistoryError(stored.where, `expected an in-toto statement with a firedrill record as its predicate, got predicateType ${JSON.stringify(statement.predicateType)}`);
  return { ...base, record: statement.predicate.record, envelope: parsed, ...(statement.predicate.result ? { result: statement.predicate.result } : {}) };
}
