import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { TimelineEvent } from '../src/core/timeline.js';
import { runScenario } from '../src/index.js';
import { readTimeline } from '../src/report/drill-output.js';
import { startTargetServer } from './child.js';
import { engineScenario } from './engine-scenario.js';
import { canResetPeakRss, peakRss, resetPeakRss } from './peak-rss.js';
import { formatTable, mb, ms, spreadOf } from './stats.js';

/*
 * A long drill end to end, in this process: `--probes` HTTP probes every `--interval` ms for an
 * observe phase of `--minutes` (default: the one-hour drill of issue #14, 100 × 10 Hz, 3.6 million
 * samples). Peak resident memory (maxRSS) is read when the observe phase ends and again after the
 * drill, the high-water mark reset in between (on Linux), so each stretch has its own peak;
 * afterwards the drill's own `timeline.ndjson` is read back (as the reports do) for the lateness
 * per minute: the engine's drift.
 *
 *   npm run bench:long-drill [-- --minutes 60 --probes 100 --interval 100]
 */
const RSS_TARGET_BYTES = 400 * 2 ** 20;

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '60' }, probes: { type: 'string', default: '100' }, interval: { type: 'string', default: '100' } } });
const minutes = Number(values.minutes);
const probes = Number(values.probes);
const intervalMs = Number(values.interval);

const server = await startTargetServer();
const dir = await mkdtemp(join(tmpdir(), 'firedrill-bench-long-'));
const rssAtStart = process.memoryUsage.rss();
let peakObserving = Number.NaN;
const onEvent = (event: TimelineEvent) => {
  if (event.kind !== 'phase' || event.phase !== 'observe' || event.state !== 'end') return;
  peakObserving = peakRss();
  if (canResetPeakRss) resetPeakRss();
};
try {
  const startedAt = Date.now();
  const result = await runScenario(engineScenario({ target: server.url, probes, intervalMs, observeMs: minutes * 60_000, connection: 'keep-alive', everyProbeUserFacing: true }), {
    environment: { name: 'bench', vars: {} }, outDir: join(dir, 'out'), stateDir: join(dir, 'state'), onEvent,
  });
  const peakAfter = peakRss();
  const peak = Math.max(peakObserving, peakAfter);
  const drillSeconds = (Date.now() - startedAt) / 1000;

  const timeline = readTimeline(join(dir, 'out', 'timeline.ndjson'));
  const observe = timeline.events.filter((e) => e.kind === 'phase' && e.phase === 'observe');
  const [start, end] = [observe[0]!.t, observe.at(-1)!.t];
  // Whole minutes only: a last partial minute of a few samples says nothing about drift.
  const perMinute: number[][] = Array.from({ length: Math.max(1, Math.floor((end - start) / 60_000)) }, () => []);
  for (const probe of timeline.samples.probes()) {
    const own = timeline.samples.of(probe)!;
    for (let i = 0; i < own.length; i++) {
      const { t, plannedT } = own.at(i);
      const minute = plannedT === undefined ? -1 : Math.floor((plannedT - start) / 60_000);
      if (plannedT! >= start && minute < perMinute.length) perMinute[minute]!.push(t - plannedT!);
    }
  }
  const minuteRow = (label: string, late: number[]) => { const s = spreadOf(late); return [label, String(late.length), s ? ms(s.p50) : '-', s ? ms(s.p99) : '-', s ? ms(s.max) : '-']; };
  const lateness = Object.values(result.probeLateness ?? {});
  const skipped = lateness.reduce((n, l) => n + l.skipped, 0);
  const sent = result.samples.total;

  console.log(`long drill: ${probes} probes × ${1000 / intervalMs} Hz, ${minutes} min observe, keep-alive; the drill took ${drillSeconds.toFixed(0)}s, outcome ${result.outcome}${result.aborted ? ` (${result.aborted.reason})` : ''}`);
  console.log(formatTable(['minute', 'samples', 'p50 late', 'p99 late', 'max late'], [
    ...perMinute.map((late, i) => minuteRow(String(i + 1), late)).filter((_, i, all) => i < 2 || i >= all.length - 2),
    minuteRow('whole', perMinute.flat()),
  ]));
  const first = spreadOf(perMinute[0]!);
  const last = spreadOf(perMinute.at(-1)!);
  console.log(`drift: the last minute's p99 ${last && first ? `${last.p99 - first.p99 >= 0 ? '+' : ''}${ms(last.p99 - first.p99)} against the first` : 'not measured'} (target: at most +5ms); samples sent ${sent}, skipped ${skipped}`);
  const after = canResetPeakRss ? `after it (revert, verify, the result, artefacts, plugins) ${mb(peakAfter)}` : `through the drill's end ${mb(peakAfter)}`;
  console.log(`memory: RSS at start ${mb(rssAtStart)}; peak (maxRSS) by the end of observing ${mb(peakObserving)}, ${after}; the drill's peak ${mb(peak)} (target < ${mb(RSS_TARGET_BYTES)}: ${peak < RSS_TARGET_BYTES ? 'met' : 'missed'})`);
} finally {
  await server.stop();
  await rm(dir, { recursive: true, force: true });
}
