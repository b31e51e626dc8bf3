// A drill whose observe phase is handed an hour of samples at 100 probes × 10 Hz (3.6 million,
// through the drill's own `record`, so they are in its columns and its `timeline.ndjson`; of
// probes of their own, so that the drill's one real probe never lands among them), then
// ends as every drill does: revert, verify, the result, the artefacts, the plugins. Run with
// --expose-gc; prints one JSON line: the samples, the file's size, the RSS when observing ended
// (after a full GC, where the high-water mark is reset) and the peak RSS after it.
import { statSync } from 'node:fs';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { exactInstant } from '../../src/core/measurement.js';
import type { FaultKind } from '../../src/faults/fault.js';
import { runScenario, type DrillPlugin, type Kinds } from '../../src/index.js';
import type { DrillInfo } from '../../src/runner/plugin.js';
import { peakRss, resetPeakRss } from '../../bench/peak-rss.js';

const PROBES = 100;
const INTERVAL_MS = 100;
const MINUTES = 60;
const dir = process.argv[2]!;

const noop: FaultKind<Record<string, never>> = {
  kind: 'noop', settings: z.strictObject({}), plan: () => ['nothing'],
  async inject(_s, ctx) { return { at: exactInstant(ctx.clock.now()), state: {} }; },
  async revert() {}, async verifyReverted() {},
};
const kinds: Partial<Kinds> = {
  faults: { noop },
  probes: { steady: { settings: z.strictObject({}), create: (name) => ({ name, intervalMs: 50, timeoutMs: 100, sample: async () => ({ ok: true, region: 'us-east-1' }), close: async () => {} }) } },
};

/**
 * A minute of samples a turn of the event loop, with a note every second of them: a note is
 * written at once, with the samples before it, so the file is written in small batches as a
 * drill's is (every 200 ms), not a minute's worth of lines held at a time.
 */
async function recordAnHour(drill: DrillInfo): Promise<void> {
  const start = drill.clock.now();
  for (let minute = 0; minute < MINUTES; minute++) {
    for (let tick = minute * 600; tick < (minute + 1) * 600; tick++) {
      for (let p = 0; p < PROBES; p++) {
        const plannedT = start + tick * INTERVAL_MS + p;
        drill.record({ kind: 'sample', t: plannedT + 0.3, plannedT, probe: `p${p}`, latencyMs: 0.5 + ((tick + p) % 40) / 10, ok: true, region: 'us-east-1', status: 200, detail: { address: '127.0.0.1' } });
      }
      if (tick % 10 === 9) drill.record({ kind: 'note', t: start + tick * INTERVAL_MS + PROBES, message: 'a second recorded' });
    }
    await nextTurn();
  }
}

let rssAtObserveEnd = Number.NaN;
const plugin: DrillPlugin = {
  name: 'an-hour-of-samples',
  beforePhase: ({ drill, phase }) => (phase === 'observe' ? recordAnHour(drill) : undefined),
  onEvent: ({ event }) => {
    if (event.kind !== 'phase' || event.phase !== 'observe' || event.state !== 'end') return;
    globalThis.gc!();
    resetPeakRss();
    rssAtObserveEnd = process.memoryUsage.rss();
  },
};

const outDir = join(dir, 'out');
const result = await runScenario({
  scenario: 'an-hour-of-samples',
  faults: [{ name: 'noop', kind: 'noop' }],
  probes: [{ name: 'app', kind: 'steady' }],
  milestones: { recovered: { probe: 'app', region: 'nowhere', consecutive: 1 } },
  steadyState: { window: '300ms', minSuccess: 0 },
  observe: { timeout: '100ms', settle: '0ms' },
  verify: { window: '50ms' },
  targets: { availability: '0%' },
}, { environment: { name: 'test', vars: {} }, outDir, stateDir: join(dir, 'state'), plugins: [plugin], kinds });

console.log(JSON.stringify({ samples: result.samples.total, timelineBytes: statSync(join(outDir, 'timeline.ndjson')).size, rssAtObserveEnd, peakAfter: peakRss() }));
