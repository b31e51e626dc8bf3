import type { KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileDigest } from '../runtime/file-digest.js';
import { signatureIsValid, type DsseEnvelope } from './dsse.js';
import { isSignOff, recordHash, type ChainRecord, type HistoryRecord } from './history.js';
import type { ReadRecord } from './history-record.js';

/**
 * Checks the history with public keys only: every record's signature, the hash chain from the
 * first record to the last, the SHA-256 of every result and artefact it points at, and what the
 * store itself saw (an S3 record deleted, overwritten or out of retention). Each problem names the
 * record (its place in the chain and its drill) and what is wrong with it: edited (its hash no
 * longer matches its content, or the next record's link does not match it), removed (a place in
 * the chain is empty), reordered (a record sits after a later one), a bad or missing signature,
 * or an artefact that was edited or deleted. A removed newest record of a local file leaves no
 * gap: the chain alone cannot show it (on S3, its delete marker does).
 */
export interface VerifyOptions {
  /** The public keys trusted to sign records, by key id; with none, signatures are not checked (and the report says so). */
  keys?: ReadonlyMap<string, KeyObject>;
  /** `all`: every file a record lists must be here (the local history); `present`: check those on this machine (a shared history read elsewhere). */
  files?: 'all' | 'present';
}

export interface VerifyReport {
  records: number;
  artifacts: number;
  /** Files a record lists that are not on this machine (with `files: 'present'`). */
  filesElsewhere: number;
  /** Signatures checked against the given keys (0 when none were given). */
  signatures: number;
  problems: string[];
  /** Sign-offs, one line each, marked self-attested when the approver's key signed the drill too. */
  signOffs: string[];
}

export function verifyHistory(chain: readonly ReadRecord[], options: VerifyOptions = {}): VerifyReport {
  const problems: string[] = [];
  const records = chain.map((r) => r.record);
  const bySeq = new Map(chain.map((r) => [r.record.seq, r]));
  records.forEach((record, i) => {
    if (recordHash(record) !== record.sha256) problems.push(`${nameOf(record)}: edited: its content no longer matches its SHA-256`);
    const before = records[i - 1];
    if (before && record.seq < before.seq) problems.push(`${nameOf(record)}: reordered: it is stored after ${nameOf(before)}`);
    const previous = bySeq.get(record.seq - 1)?.record;
    if (record.seq > 1 && !previous) problems.push(`record ${record.seq - 1}: removed: ${nameOf(record)} links to a record that is not in the history`);
    else if (previous && record.prevSha256 !== previous.sha256) problems.push(`${nameOf(previous)}: edited: ${nameOf(record)} links to a different SHA-256 (${record.prevSha256?.slice(0, 12)}…)`);
  });
  for (const read of chain) problems.push(...read.storeProblems.map((p) => `${nameOf(read.record)}: ${p} (${read.where})`));
  const signatures = options.keys?.size ? checkSignatures(chain, options.keys, problems) : 0;
  const files = checkFiles(records.filter((r): r is HistoryRecord => !isSignOff(r)), options.files ?? 'all', problems);
  const described = describeSignOffs(chain);
  return { records: chain.length, artifacts: files.checked, filesElsewhere: files.elsewhere, signatures, problems: [...problems, ...described.problems], signOffs: described.signOffs.map((s) => s.text) };
}

function nameOf(record: ChainRecord): string {
  return isSignOff(record) ? `record ${record.seq} (sign-off of drill ${record.drillId} by ${record.by})` : `record ${record.seq} (drill ${record.drillId})`;
}

function shortKey(keyid: string): string {
  return `${keyid.slice(0, 16)}…`;
}

/** Each record must carry a valid signature by one of the given keys. */
function checkSignatures(chain: readonly ReadRecord[], keys: ReadonlyMap<string, KeyObject>, problems: string[]): number {
  let checked = 0;
  for (const { record, envelope } of chain) {
    if (!envelope) { problems.push(`${nameOf(record)}: unsigned: a plain record, not a signed envelope`); continue; }
    const known = envelope.signatures.filter((s) => keys.has(s.keyid));
    checked += known.length;
    const bad = known.filter((s) => !signatureIsValid(envelope, s, keys.get(s.keyid)!));
    for (const s of bad) problems.push(`${nameOf(record)}: bad signature: key ${shortKey(s.keyid)} did not sign this content`);
    if (!known.length) problems.push(`${nameOf(record)}: signed only by keys not given to verify (${envelope.signatures.map((s) => shortKey(s.keyid)).join(', ') || 'no signatures'})`);
  }
  return checked;
}

function checkFiles(records: readonly HistoryRecord[], mode: 'all' | 'present', problems: string[]): { checked: number; elsewhere: number } {
  let checked = 0;
  let elsewhere = 0;
  for (const record of records) {
    const folder = dirname(record.result.path);
    const files = [{ path: record.result.path, label: 'result.json', sha256: record.result.sha256 }, ...(record.artifacts ?? []).map((a) => ({ path: join(folder, a.path), label: a.path, sha256: a.sha256 }))];
    for (const file of files) {
      if (!existsSync(file.path)) {
        if (mode === 'present') { elsewhere++; continue; }
        problems.push(`${nameOf(record)}: ${file.label} removed (${file.path})`);
      } else if (fileDigest(file.path).sha256 !== file.sha256) problems.push(`${nameOf(record)}: ${file.label} edited: its SHA-256 no longer matches (${file.path})`);
      checked++;
    }
  }
  return { checked, elsewhere };
}

/** Who signed off which drill, one line each; self-attested when the approver's key is one that signed the drill record. */
export function describeSignOffs(chain: readonly ReadRecord[]): { signOffs: { drillId: string; text: string }[]; problems: string[] } {
  const bySeq = new Map(chain.map((r) => [r.record.seq, r]));
  const signOffs: { drillId: string; text: string }[] = [];
  const problems: string[] = [];
  for (const { record, envelope } of chain) {
    if (!isSignOff(record)) continue;
    const drill = bySeq.get(record.approves.seq);
    if (!drill || drill.record.sha256 !== record.approves.sha256) {
      problems.push(`${nameOf(record)}: it approves record ${record.approves.seq} with SHA-256 ${record.approves.sha256.slice(0, 12)}…, which the history does not hold`);
      continue;
    }
    const approverKeys = keyIdsOf(envelope);
    const selfAttested = approverKeys.some((k) => keyIdsOf(drill.envelope).includes(k));
    signOffs.push({ drillId: record.drillId, text: `${nameOf(drill.record)}: signed off by ${record.by} at ${record.at} (key ${approverKeys.map(shortKey).join(', ') || 'none'})${selfAttested ? ': self-attested (the approver\'s key is the one that signed the drill)' : ''}` });
  }
  return { signOffs, problems };
}

function keyIdsOf(envelope: DsseEnvelope | null): string[] {
  return envelope?.signatures.map((s) => s.keyid) ?? [];
}
