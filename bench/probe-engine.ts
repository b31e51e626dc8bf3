import autocannon from 'autocannon';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ChildTimeout, runBenchChild, startTargetServer } from './child.js';
import type { EngineRun } from './engine-run.js';
import { steadyMsOf } from './engine-scenario.js';
import { formatTable, mb, ms, percent, type Spread } from './stats.js';

/*
 * The probe engine: how late samples go out against their fixed schedule, and how many a second
 * it sustains, each drill in its own process against a trivial server in another. The reference
 * is autocannon's request rate against the same server in the same run.
 *
 *   npm run bench:probe-engine [-- --long] [--seconds 10] [--drift-seconds 60] [--drift-probes 100]
 *     [--counts 1,2,5,…,1000,1200,…] [--table-counts 10,100,1000] [--connection keep-alive|fresh]
 *     [--user-facing all|one]   (every probe user-facing, the default for probes, or only the first)
 */
const LATENESS_BUDGET_MS = 5;
const INTERVAL_MS = 100;
/** How long past its planned end a drill may run before it counts as not finishing (an engine far behind). */
const OVERRUN_MS = 60_000;

const { values } = parseArgs({
  options: {
    long: { type: 'boolean', default: false },
    seconds: { type: 'string', default: '10' },
    'drift-seconds': { type: 'string' },
    'drift-probes': { type: 'string', default: '100' },
    counts: { type: 'string', default: '1,2,5,10,20,50,100,200,300,400,500,600,700,800,900,1000,1200,1500,2000,5000' },
    'table-counts': { type: 'string', default: '10,100,1000' },
    'autocannon-seconds': { type: 'string', default: '5' },
    connection: { type: 'string', default: 'keep-alive' },
    'user-facing': { type: 'string', default: 'all' },
  },
});
const counts = (text: string) => text.split(',').map(Number);
const driftSeconds = Number(values['drift-seconds'] ?? (values.long ? 600 : 60));
const hz = 1000 / INTERVAL_MS;
const setup = `${values.connection}, ${values['user-facing'] === 'all' ? 'every probe user-facing' : 'one probe user-facing'}`;

/** A lateness figure; a drill that sent none of the samples planned in the window has none. */
function late(spread: Spread | null, q: 'p50' | 'p99' | 'max'): string {
  return spread ? ms(spread[q]) : 'none sent';
}

/** Within the budget: some samples were sent, and 99 % of them no later than it. */
function withinBudget(run: EngineRun): boolean {
  return run.lateness !== null && run.lateness.p99 <= LATENESS_BUDGET_MS;
}

/** A drill's figures, or why there are none. */
type Point = { probes: number; run: EngineRun } | { probes: number; failure: string };

/** Samples sent of those the schedule planned in the observe phase; a drill stopped early (far behind) says so. */
function sentOf(run: EngineRun): string {
  return `${percent(run.samples / run.planned)}${run.aborted ? ' (stopped early)' : ''}`;
}

/** A row's cells from `cells(run)`, or the failure in the first of them. */
function row(point: Point, width: number, cells: (run: EngineRun) => string[]): string[] {
  if ('failure' in point) return [String(point.probes), point.failure, ...Array<string>(width - 2).fill('-')];
  return [String(point.probes), ...cells(point.run)];
}

const server = await startTargetServer();
// The drills' folders, removed at the end even when a drill that did not finish was killed.
const base = await mkdtemp(join(tmpdir(), 'firedrill-bench-engine-'));
try {
  const reference = await autocannon({ url: server.url, connections: 10, duration: Number(values['autocannon-seconds']) });
  if (reference.errors || reference.non2xx) throw new Error(`autocannon saw ${reference.errors} errors and ${reference.non2xx} non-2xx answers from the target server`);
  const referenceRate = reference.requests.average;
  console.log(`reference: autocannon 9.0.0, 10 connections, ${values['autocannon-seconds']}s: ${Math.round(referenceRate)} requests/s against the same server\n`);

  const drill = async (probes: number, seconds: number): Promise<Point> => {
    const args = ['--dir', join(base, `${probes}-${seconds}s`), '--target', server.url, '--probes', String(probes), '--interval', String(INTERVAL_MS), '--seconds', String(seconds), '--connection', values.connection, '--user-facing', values['user-facing']];
    try {
      return { probes, run: await runBenchChild<EngineRun>('./engine-run.ts', args, { timeoutMs: steadyMsOf(probes) + seconds * 1000 + OVERRUN_MS }) };
    } catch (error) {
      if (error instanceof ChildTimeout) return { probes, failure: error.message };
      throw error;
    }
  };
  const points = new Map<number, Point>();
  const cached = async (probes: number) => points.get(probes) ?? points.set(probes, await drill(probes, Number(values.seconds))).get(probes)!;

  // Highest sustained rate within the lateness budget: more probes at 10 Hz until p99 exceeds it.
  let best: EngineRun | undefined;
  for (const probes of counts(values.counts)) {
    const point = await cached(probes);
    if ('failure' in point || !withinBudget(point.run)) break;
    best = point.run;
  }
  const searched = [...points.values()];
  console.log(`rate search: probes × ${hz} Hz, ${values.seconds}s observe each, ${setup}; stops at the first p99 over ${LATENESS_BUDGET_MS}ms`);
  console.log(formatTable(['probes', 'asked/s', 'sustained/s', 'sent of planned', 'of autocannon', 'p50 late', 'p99 late', 'max late'], searched.map((p) => row(p, 8, (r) => [
    String(r.probes * hz), r.ratePerSecond.toFixed(0), sentOf(r), percent(r.ratePerSecond / referenceRate, 2), late(r.lateness, 'p50'), late(r.lateness, 'p99'), late(r.lateness, 'max'),
  ]))));
  const first = searched[0]!;
  console.log(best
    ? `highest sustained rate with p99 lateness <= ${LATENESS_BUDGET_MS}ms: ${best.ratePerSecond.toFixed(0)} samples/s (${best.probes} probes) = ${percent(best.ratePerSecond / referenceRate, 2)} of autocannon's rate (target >= 10000/s and >= 12%)\n`
    : `highest sustained rate with p99 lateness <= ${LATENESS_BUDGET_MS}ms: none — already ${'run' in first ? `${late(first.run.lateness, 'p99')} p99` : first.failure} at ${first.probes} probe(s) (target >= 10000/s and >= 12% of autocannon)\n`);

  const table: Point[] = [];
  for (const probes of counts(values['table-counts'])) table.push(await cached(probes));
  console.log(`lateness against the schedule at ${hz} Hz per probe, ${values.seconds}s observe, ${setup}`);
  console.log(formatTable(['probes', 'asked/s', 'sustained/s', 'sent of planned', 'p50 late', 'p99 late', 'max late', 'CPU ÷ probes', 'RSS growth ÷ probes', 'peak RSS'], table.map((p) => row(p, 10, (r) => [
    String(r.probes * hz), r.ratePerSecond.toFixed(0), sentOf(r), late(r.lateness, 'p50'), late(r.lateness, 'p99'), late(r.lateness, 'max'),
    `${percent(r.cpuMsPerSecond / 1000 / r.probes, 3)} of a core`, `${((r.rssAtEndBytes - r.rssBeforeBytes) / 1024 / r.probes).toFixed(1)} KB`, mb(r.maxRssBytes),
  ]))));
  const hundred = points.get(100);
  if (hundred) console.log(`target: 100 probes × 10 Hz p99 lateness <= ${LATENESS_BUDGET_MS}ms: ${'run' in hundred && withinBudget(hundred.run) ? 'met' : 'missed'} (${'run' in hundred ? late(hundred.run.lateness, 'p99') : hundred.failure})`);

  const driftProbes = Number(values['drift-probes']);
  const drift = await drill(driftProbes, driftSeconds);
  console.log(`\ndrift: ${driftProbes} probes × ${hz} Hz over a ${driftSeconds}s observe phase, ${setup}`);
  if ('failure' in drift) {
    console.log(`no figures: the drill ${drift.failure}`);
  } else {
    const { run } = drift;
    console.log(formatTable([`window (${ms(run.windowMs)})`, 'samples', 'p50 late', 'p99 late', 'max late'], [
      ...([['first', run.first], ['last', run.last], ['whole', run.lateness]] as const).map(([window, s]) => [window, String(s?.n ?? 0), late(s, 'p50'), late(s, 'p99'), late(s, 'max')]),
    ]));
    if (run.aborted) console.log(`the drill was stopped early: ${run.aborted}`);
    const growth = run.first && run.last ? `p99 grew by ${ms(run.last.p99 - run.first.p99)}` : 'p99 growth unknown: no sample planned in one window was sent before the drill ended';
    console.log(`${growth} (target: at most 5ms${values.long ? '' : ' over 10 minutes, with --long'}); sustained ${run.ratePerSecond.toFixed(0)}/s of ${driftProbes * hz}/s asked (${sentOf(run)}); peak RSS ${mb(run.maxRssBytes)}`);
  }
} finally {
  await server.stop();
  await rm(base, { recursive: true, force: true });
}
