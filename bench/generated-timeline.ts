import type { Instant } from '../src/core/measurement.js';
import type { MilestoneRules } from '../src/core/milestones.js';
import type { SampleEvent, TimelineEvent } from '../src/core/timeline.js';

/**
 * A drill's timeline made up at any size: `probes` probes sampling every `intervalMs` for
 * `durationMs`, served by us-east-1 until a fault, failing until the recovery side serves, then
 * served by us-west-2; a health alarm and a decision alarm go to ALARM in between. Deterministic,
 * so the milestones it must yield are known.
 */
export interface TimelinePlan {
  probes: number;
  intervalMs: number;
  durationMs: number;
  faultAt: number;
  detectAt: number;
  decideAt: number;
  /** The first planned sample time at or after which samples succeed again, from us-west-2. */
  recoverAt: number;
}

export interface GeneratedTimeline {
  events: TimelineEvent[];
  rules: MilestoneRules;
  /** Where the observe phase ends (availability is counted up to it). */
  observeEnd: number;
  /** The milestones the core must derive from `events`. */
  expected: { fault: Instant; detect: Instant; decide: Instant; recovered: Instant };
}

export function planOf(probes: number, intervalMs: number, durationMs: number): TimelinePlan {
  const faultAt = Math.min(60_000, durationMs / 4);
  return { probes, intervalMs, durationMs, faultAt, detectAt: faultAt + 1_000, decideAt: faultAt + 2_500, recoverAt: faultAt + 6_000 };
}

/** Sample send times wobble by up to 3 ms, deterministically, like a real schedule's. */
function jitter(probe: number, k: number): number {
  return ((probe * 7 + k * 13) % 4) * 0.75;
}

export function generateTimeline(plan: TimelinePlan): GeneratedTimeline {
  const { probes, intervalMs, durationMs, faultAt, detectAt, decideAt, recoverAt } = plan;
  const events: TimelineEvent[] = [
    { kind: 'phase', t: 0, phase: 'steady-state', state: 'start' },
    { kind: 'signal', t: 0, signal: 'health', state: 'OK', at: { t: 0, lower: 0, upper: 0 }, observedT: 0, source: 'source-clock' },
    { kind: 'signal', t: 0, signal: 'decision', state: 'OK', at: { t: 0, lower: 0, upper: 0 }, observedT: 0, source: 'source-clock' },
  ];
  const names = Array.from({ length: probes }, (_, p) => `p${p}`);
  const ticks = Math.floor(durationMs / intervalMs);
  const at = (t: number): Instant => ({ t, lower: t, upper: t });
  let faultDone = false;
  let detectDone = false;
  let decideDone = false;
  for (let k = 0; k < ticks; k++) {
    const planned = k * intervalMs;
    if (!faultDone && planned >= faultAt) {
      faultDone = true;
      events.push({ kind: 'fault', t: faultAt, fault: 'outage', faultKind: 'blackhole', action: 'injected', at: at(faultAt) });
      events.push({ kind: 'phase', t: faultAt, phase: 'observe', state: 'start' });
    }
    if (!detectDone && planned >= detectAt) {
      detectDone = true;
      events.push({ kind: 'signal', t: detectAt, signal: 'health', state: 'ALARM', previous: 'OK', at: at(detectAt), observedT: detectAt + 200, source: 'source-clock' });
    }
    if (!decideDone && planned >= decideAt) {
      decideDone = true;
      events.push({ kind: 'signal', t: decideAt, signal: 'decision', state: 'ALARM', previous: 'OK', at: at(decideAt), observedT: decideAt + 200, source: 'source-clock' });
    }
    for (let p = 0; p < probes; p++) events.push(sampleAt(names[p]!, planned + jitter(p, k), planned, plan));
  }
  const observeEnd = ticks * intervalMs;
  events.push({ kind: 'phase', t: observeEnd, phase: 'observe', state: 'end', outcome: 'ok' });
  const lastFailed = Math.ceil(recoverAt / intervalMs) - 1;
  const firstGood = lastFailed + 1;
  return {
    events,
    rules: { userFacing: names, detect: { signal: 'health', becomes: 'ALARM' }, decide: { signal: 'decision', becomes: 'ALARM' }, recovered: { probe: 'p0', region: 'us-west-2', consecutive: 5 } },
    observeEnd,
    expected: {
      fault: at(faultAt),
      detect: at(detectAt),
      decide: at(decideAt),
      recovered: { t: firstGood * intervalMs + jitter(0, firstGood), lower: lastFailed * intervalMs + jitter(0, lastFailed), upper: firstGood * intervalMs + jitter(0, firstGood) + OK_LATENCY_MS },
    },
  };
}

const OK_LATENCY_MS = 2;

function sampleAt(probe: string, t: number, planned: number, plan: TimelinePlan): SampleEvent {
  if (planned < plan.faultAt) return { kind: 'sample', t, probe, ok: true, latencyMs: OK_LATENCY_MS, region: 'us-east-1', status: 200 };
  if (planned < plan.recoverAt) return { kind: 'sample', t, probe, ok: false, latencyMs: 500, error: 'timeout after 500ms' };
  return { kind: 'sample', t, probe, ok: true, latencyMs: OK_LATENCY_MS, region: 'us-west-2', status: 200 };
}
