import { copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { main } from '../src/cli/main.js';
import type { Io } from '../src/cli/io.js';
import { DrillHistory } from '../src/report/drill-history.js';
import { historyEntryOf } from '../src/report/history.js';
import { localHistory } from '../src/report/local-history.js';
import { generateKeyFile, keyFileSigner } from '../src/report/signers.js';
import type { DrillResult } from '../src/runner/result.js';
import { formatTable, mb, ms } from './stats.js';

/*
 * Reports at scale: a signed local history of N drills (copies of the passed lab drill in
 * test/fixtures, one an hour, each result.json and timeline.ndjson in a folder of its own), then `firedrill report history`, `verify` and `compliance` over it,
 * each timed in this process, against one pass that parses every stored line as the reference.
 *
 *   npm run bench:reports-at-scale [-- --counts 1000,10000] [--pdf-up-to 1000]
 */
const FIXTURE = fileURLToPath(new URL('../test/fixtures/drills/passed', import.meta.url));
const { values } = parseArgs({ options: { counts: { type: 'string', default: '1000,10000' }, 'pdf-up-to': { type: 'string', default: '1000' } } });
const counts = values.counts.split(',').map(Number);
const pdfUpTo = Number(values['pdf-up-to']);

const quiet: Io = { cwd: process.cwd(), isTty: false, out: () => {}, err: () => {}, write: () => {}, interrupts: () => new AbortController().signal };

async function timed(run: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await run();
  return performance.now() - started;
}

/** Runs a firedrill command as a user would, in this process; a non-zero exit is a failed benchmark. */
async function firedrill(cwd: string, ...argv: string[]): Promise<void> {
  const errors: string[] = [];
  const code = await main(argv, { ...quiet, cwd, out: (line) => errors.push(line), err: (line) => errors.push(line) });
  if (code !== 0) throw new Error(`firedrill ${argv.join(' ')} exited ${code}: ${errors.slice(-3).join(' ')}`);
}

const rows: string[][] = [];
for (const count of counts) {
  const dir = await mkdtemp(join(tmpdir(), 'firedrill-bench-reports-'));
  try {
    const file = join(dir, 'history.ndjson');
    const key = generateKeyFile(join(dir, 'runner-key.pem'));
    const history = new DrillHistory(localHistory(file), keyFileSigner(key.privateFile));
    const base = JSON.parse(readFileSync(join(FIXTURE, 'result.json'), 'utf8')) as DrillResult;
    const appendMs: number[] = [];
    for (let i = 0; i < count; i++) {
      const startedAt = new Date(Date.parse('2026-01-01T00:00:00Z') + i * 3_600_000).toISOString();
      const result: DrillResult = { ...base, drillId: `bench-${i + 1}`, startedAt, endedAt: startedAt };
      const resultFile = join(dir, 'runs', result.drillId, 'result.json');
      mkdirSync(join(resultFile, '..'), { recursive: true });
      writeFileSync(resultFile, JSON.stringify(result, null, 2));
      copyFileSync(join(FIXTURE, 'timeline.ndjson'), join(resultFile, '..', 'timeline.ndjson'));
      appendMs.push(await timed(() => history.append(historyEntryOf(result, resultFile, 'ci@bench'), result)));
    }
    const bytes = statSync(file).size;
    const referenceMs = await timed(async () => { for (const line of readFileSync(file, 'utf8').split('\n')) if (line) JSON.parse(line); });
    const last = Math.max(1, Math.floor(count / 10));
    const rssBefore = process.memoryUsage.rss();
    const historyMs = await timed(() => firedrill(dir, 'report', 'history', '--history', file));
    const verifyMs = await timed(() => firedrill(dir, 'report', 'verify', '--history', file, '--public-key', key.publicFile));
    const complianceMs = count <= pdfUpTo
      ? await timed(() => firedrill(dir, 'report', 'compliance', '--history', file, '--from', '2026-01-01', '--to', '2027-12-31', '--out', join(dir, 'compliance')))
      : undefined;
    const avg = (list: number[]) => list.reduce((a, b) => a + b, 0) / list.length;
    rows.push([
      String(count), mb(bytes), ms(referenceMs),
      `${ms(avg(appendMs.slice(0, last)))} → ${ms(avg(appendMs.slice(-last)))}`,
      `${ms(historyMs)} (${(historyMs / referenceMs).toFixed(1)}×)`,
      `${ms(verifyMs)} (${(verifyMs / referenceMs).toFixed(1)}×)`,
      complianceMs === undefined ? `skipped (over --pdf-up-to ${pdfUpTo})` : `${ms(complianceMs)} (${(complianceMs / referenceMs).toFixed(1)}×)`,
      mb(Math.max(0, process.memoryUsage.rss() - rssBefore)),
    ]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
console.log('reports at scale: a signed local history of N drills; each report as `firedrill report …` in this process; reference: one pass parsing every stored line');
console.log(formatTable(['drills', 'history file', 'one pass', 'append (first → last tenth)', 'report history', 'report verify', 'report compliance (PDF)', 'RSS growth'], rows));
