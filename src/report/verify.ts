import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { recordHash, sha256Of, type HistoryRecord } from './history.js';

/**
 * Recomputes the history's hash chain and the SHA-256 of every result and artefact it points at.
 * Each problem names the record (its place in the chain and its drill) and what is wrong with it:
 * edited (its hash no longer matches its content, or the next record's link does not match it),
 * removed (a place in the chain is empty), reordered (a record sits after a later one), or an
 * artefact that was edited or deleted. A removed newest record leaves no gap: the chain alone
 * cannot show it (a signed digest of the head, kept elsewhere, would).
 */
export interface VerifyReport {
  records: number;
  artifacts: number;
  problems: string[];
}

export function verifyHistory(records: readonly HistoryRecord[]): VerifyReport {
  const problems: string[] = [];
  const name = (r: HistoryRecord) => `record ${r.seq} (drill ${r.drillId})`;
  const bySeq = new Map(records.map((r) => [r.seq, r]));
  records.forEach((record, i) => {
    if (recordHash(record) !== record.sha256) problems.push(`${name(record)}: edited: its content no longer matches its SHA-256`);
    const before = records[i - 1];
    if (before && record.seq < before.seq) problems.push(`${name(record)}: reordered: it is stored after ${name(before)}`);
    const previous = bySeq.get(record.seq - 1);
    if (record.seq > 1 && !previous) problems.push(`record ${record.seq - 1}: removed: ${name(record)} links to a record that is not in the history`);
    else if (previous && record.prevSha256 !== previous.sha256) problems.push(`${name(previous)}: edited: ${name(record)} links to a different SHA-256 (${record.prevSha256?.slice(0, 12)}…)`);
  });
  let artifacts = 0;
  for (const record of records) {
    const folder = dirname(record.result.path);
    const files = [{ path: record.result.path, label: 'result.json', sha256: record.result.sha256 }, ...(record.artifacts ?? []).map((a) => ({ path: join(folder, a.path), label: a.path, sha256: a.sha256 }))];
    for (const file of files) {
      artifacts++;
      if (!existsSync(file.path)) problems.push(`${name(record)}: ${file.label} removed (${file.path})`);
      else if (sha256Of(readFileSync(file.path)) !== file.sha256) problems.push(`${name(record)}: ${file.label} edited: its SHA-256 no longer matches (${file.path})`);
    }
  }
  return { records: records.length, artifacts, problems };
}
