import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { TimelineEvent } from '../src/core/timeline.js';
import { runScenario } from '../src/index.js';
import { engineScenario } from './engine-scenario.js';
import { SampleTimes } from './engine-adapter.js';
import { spreadOf, type Spread } from './stats.js';

/*
 * One drill, in this process alone, with `--probes` HTTP probes every `--interval` ms against
 * `--target` for an observe phase of `--seconds`: the whole runner as a user gets it (timeline,
 * persistence, milestones re-derived while observing). Prints one JSON line: how late samples
 * were sent against their fixed schedule, the rate sustained, CPU and memory.
 */
export interface EngineRun {
  probes: number;
  intervalMs: number;
  connection: string;
  observeMs: number;
  /** Why the drill stopped early (its maximum duration when the engine falls far behind), or null. */
  aborted: string | null;
  /** Samples the schedule planned inside the observe phase, those of them sent, and sent per second. */
  planned: number;
  samples: number;
  ratePerSecond: number;
  /** Lateness of the samples planned in the observe phase that were sent; null when none was. */
  lateness: Spread | null;
  /** The same for the first and the last `windowMs` of the observe phase. */
  windowMs: number;
  first: Spread | null;
  last: Spread | null;
  /** CPU time (user + system) per second of the observe phase, in ms: 1000 is one core. */
  cpuMsPerSecond: number;
  rssBeforeBytes: number;
  rssAtEndBytes: number;
  maxRssBytes: number;
}

const { values } = parseArgs({
  options: {
    target: { type: 'string' },
    probes: { type: 'string', default: '10' },
    interval: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '10' },
    window: { type: 'string' },
    connection: { type: 'string', default: 'keep-alive' },
    /** `all`: every probe is user-facing, as probes are by default; `one`: only the first. */
    'user-facing': { type: 'string', default: 'all' },
    /** Where the drill keeps its output and state (removed afterwards); a fresh temporary folder by default. */
    dir: { type: 'string' },
  },
});
if (!values.target) throw new Error('engine-run: expected --target URL of the server to probe');
const probes = Number(values.probes);
const intervalMs = Number(values.interval);
const observeMs = Number(values.seconds) * 1000;
const windowMs = values.window ? Number(values.window) * 1000 : Math.min(60_000, observeMs / 6);


const dir = values.dir ?? await mkdtemp(join(tmpdir(), 'firedrill-bench-engine-'));
try {
  const times = new SampleTimes();
  let observe: { start: number; end: number; cpuStart: NodeJS.CpuUsage; cpu?: NodeJS.CpuUsage; rssAtEnd?: number } | undefined;
  const onEvent = (event: TimelineEvent) => {
    times.record(event);
    if (event.kind !== 'phase' || event.phase !== 'observe') return;
    if (event.state === 'start') observe = { start: event.t, end: Infinity, cpuStart: process.cpuUsage() };
    else if (observe) Object.assign(observe, { end: event.t, cpu: process.cpuUsage(observe.cpuStart), rssAtEnd: process.memoryUsage.rss() });
  };
  const rssBeforeBytes = process.memoryUsage.rss();
  const result = await runScenario(engineScenario({ target: values.target, probes, intervalMs, observeMs, connection: values.connection, everyProbeUserFacing: values['user-facing'] === 'all' }), { environment: { name: 'bench', vars: {} }, outDir: join(dir, 'out'), stateDir: join(dir, 'state'), onEvent });
  if (!observe?.cpu) throw new Error(`engine-run: the drill never observed: ${result.aborted?.reason ?? 'no observe phase'}`);
  const { start, end } = observe;
  const { plannedT, lateMs } = times.lateness();
  const inside = (from: number, to: number) => lateMs.filter((_, i) => plannedT[i]! >= from && plannedT[i]! < to);
  const all = inside(start, end);
  const run: EngineRun = {
    probes, intervalMs, connection: values.connection, observeMs: end - start,
    aborted: result.aborted?.reason ?? null,
    planned: probes * Math.floor((end - start) / intervalMs),
    samples: all.length,
    ratePerSecond: all.length / ((end - start) / 1000),
    lateness: spreadOf(all),
    windowMs,
    first: spreadOf(inside(start, start + windowMs)),
    last: spreadOf(inside(end - windowMs, end)),
    cpuMsPerSecond: (observe.cpu.user + observe.cpu.system) / 1000 / ((end - start) / 1000),
    rssBeforeBytes,
    rssAtEndBytes: observe.rssAtEnd!,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  };
  process.stdout.write(JSON.stringify(run) + '\n');
} finally {
  await rm(dir, { recursive: true, force: true });
}
