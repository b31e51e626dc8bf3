import { expect } from 'chai';
import { createClock } from '../../src/core/clock.js';
import { Timeline, type SampleEvent } from '../../src/core/timeline.js';
import type { Probe, ProbeContext } from '../../src/probes/probe.js';
import { scheduleProbe } from '../../src/runner/schedule.js';

const INTERVAL_MS = 50;

function instantProbe(): Probe & { signals: AbortSignal[] } {
  const signals: AbortSignal[] = [];
  return {
    name: 'app', intervalMs: INTERVAL_MS, timeoutMs: 1_000, signals,
    sample: async (ctx: ProbeContext) => { signals.push(ctx.signal); return { ok: true }; },
    close: async () => {},
  };
}

function samplesUntil(timeline: Timeline, done: (samples: SampleEvent[]) => boolean): Promise<SampleEvent[]> {
  const samples: SampleEvent[] = [];
  return new Promise((resolve) => {
    const unsubscribe = timeline.subscribe((event) => {
      if (event.kind !== 'sample') return;
      samples.push(event);
      if (done(samples)) { unsubscribe(); resolve(samples); }
    });
  });
}

describe('the probe schedule', () => {
  it('plans sample k at firstT + k × interval, and stamps each with its planned and its sent time', async () => {
    const clock = createClock();
    const timeline = new Timeline();
    const firstT = clock.now() + 5;
    const schedule = scheduleProbe(instantProbe(), { clock, timeline, outDir: '.', firstT });
    const samples = await samplesUntil(timeline, (s) => s.length === 5);
    await schedule.stop();
    for (const s of samples) {
      const k = (s.plannedT! - firstT) / INTERVAL_MS;
      expect(Math.abs(k - Math.round(k))).to.be.below(1e-9); // on the grid
      expect(s.t).to.be.at.least(s.plannedT! - 2); // Node's timers keep time in whole milliseconds
    }
    expect(new Set(samples.map((s) => s.plannedT)).size).to.equal(5);
  });

  it('skips the samples it missed while the event loop was blocked, instead of sending them in a burst', async () => {
    const clock = createClock();
    const timeline = new Timeline();
    const schedule = scheduleProbe(instantProbe(), { clock, timeline, outDir: '.' });
    const before = await samplesUntil(timeline, (s) => s.length === 2);
    const blockedUntil = clock.now() + 5 * INTERVAL_MS;
    while (clock.now() < blockedUntil); // the stall under test: five intervals with no timer able to fire
    const after = await samplesUntil(timeline, (s) => s.length === 3);
    await schedule.stop();
    const slots = (s: SampleEvent) => Math.round(s.plannedT! / INTERVAL_MS);
    expect(slots(after[0]!) - slots(before[1]!)).to.be.at.least(4); // the slots of the stall were skipped (a burst would send the very next one)
    expect(after.slice(1).map((s, i) => slots(s) - slots(after[i]!))).to.deep.equal([1, 1]); // then one sample per slot again
    // and the first was sent within an interval of its plan (plus the moment it takes to send it)
    expect(after[0]!.t - after[0]!.plannedT!).to.be.at.most(INTERVAL_MS + 2);
  });

  it('aborts the samples in flight when stopped, and records none of them', async () => {
    const clock = createClock();
    const timeline = new Timeline();
    let started!: () => void;
    const inFlight = new Promise<void>((resolve) => { started = resolve; });
    const hanging: Probe = {
      name: 'app', intervalMs: INTERVAL_MS, timeoutMs: 60_000,
      sample: (ctx) => { started(); return new Promise((resolve) => ctx.signal.addEventListener('abort', () => resolve({ ok: false, error: 'aborted' }))); },
      close: async () => {},
    };
    const schedule = scheduleProbe(hanging, { clock, timeline, outDir: '.' });
    await inFlight;
    await schedule.stop();
    expect(timeline.samples.total).to.equal(0);
  });

  it('sends no sample once stopped, not even one whose timer fired just before the stop', async () => {
    const clock = createClock();
    let stoppedAt: number | undefined;
    let sentAfterStop = 0;
    const counting = (name: string): Probe => ({
      name, intervalMs: 1, timeoutMs: 1_000,
      sample: async () => { if (stoppedAt !== undefined) sentAfterStop++; return { ok: true }; },
      close: async () => {},
    });
    for (let trial = 0; trial < 20; trial++) {
      const timeline = new Timeline();
      stoppedAt = undefined;
      const schedules = Array.from({ length: 20 }, (_, i) => scheduleProbe(counting(`p${i}`), { clock, timeline, outDir: '.' }));
      await samplesUntil(timeline, (s) => s.length >= 100);
      // Stopped from a timer: the probes' timers that fired in the same pass have planned their samples already.
      await new Promise<void>((resolve) => setTimeout(() => {
        stoppedAt = clock.now();
        void Promise.all(schedules.map((s) => s.stop())).then(() => resolve());
      }, 1));
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(sentAfterStop).to.equal(0);
  });
});
