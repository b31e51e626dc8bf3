import type { Canary } from '../../probes/canary.js';
import type { Probe } from '../../probes/probe.js';
import type { Signal } from '../../signals/signal.js';
import type { DrillContext } from '../drill-context.js';
import { prepareBrowsersFor } from '../browser-warmup.js';
import { watchGuardrails } from '../guardrails.js';
import { pollSignal, scheduleProbe } from '../schedule.js';
import type { Task } from '../task-runner.js';

/** Probes sample and signals are polled from here to the end of the drill; guardrails watch them. */
export const watch: Task<DrillContext> = {
  title: 'start probes and signals',
  async setup(ctx) {
    const { entries } = ctx.scenario;
    const { running } = ctx;
    // Chromium starts before anything samples: launching it mid-drill stalls the event loop.
    running.closers.push(await prepareBrowsersFor(ctx.scenario));
    const probes = entries.probes.map((e) => ctx.kinds.probes[e.kind]!.create(e.name, e.written, ctx.adapterEnv) as Probe);
    const signals = entries.signals.map((e) => ctx.kinds.signals[e.kind]!.create(e.name, e.written, ctx.adapterEnv) as Signal);
    for (const p of probes) ctx.probeIntervalsMs.set(p.name, p.intervalMs);
    running.canaries.push(...entries.canaries.map((e) => ctx.kinds.canaries[e.kind]!.create(e.name, e.written, ctx.adapterEnv) as Canary));
    running.closers.push(...probes.map((p) => () => p.close()), ...signals.map((s) => () => s.close()));
    watchGuardrails(ctx.scenario, ctx.timeline, (reason) => ctx.stop(reason));
    // Spread over their interval, probes never all send in the same instant: no burst, and together they sample finer.
    const start = ctx.clock.now();
    running.schedules.push(...probes.map((p, i) => scheduleProbe(p, { clock: ctx.clock, timeline: ctx.timeline, outDir: ctx.outDir, firstT: start + (i / probes.length) * p.intervalMs })));
    running.schedules.push(...signals.map((s) => pollSignal(s, { clock: ctx.clock, timeline: ctx.timeline })));
  },
  async teardown(ctx) {
    const { running } = ctx;
    ctx.ledger.stopLeases();
    await Promise.allSettled(running.canaries.map((c) => c.stop()));
    await Promise.allSettled(running.schedules.splice(0).map((s) => s.stop()));
    await Promise.allSettled(running.closers.splice(0).map((close) => close()));
  },
};
