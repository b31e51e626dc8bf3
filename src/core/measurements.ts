import { durationBetween, exactMeasurement, type Instant, type Measurement } from './measurement.js';
import type { Milestones } from './milestones.js';
import { Timeline, type CanaryEvent, type RecordedTimeline, type TimelineEvent } from './timeline.js';

/** The measured numbers of a drill, in milliseconds (availability is a ratio 0..1). */
export interface Measurements {
  detectionMs: Measurement | null;
  decisionMs: Measurement | null;
  failoverMs: Measurement | null;
  rtoMs: Measurement | null;
  rpoMs: Measurement | null;
  /** Acknowledged writes missing on the recovered side. */
  lostWrites: Measurement | null;
  availability: Measurement | null;
}

export type MeasurementName = keyof Measurements;

export interface MeasureOptions {
  /** What RTO counts from: the fault taking effect (default) or users first seeing failure. */
  origin: 'fault' | 'impact';
  userFacing: string[];
  /** The end of the window availability is computed over (the start of revert). */
  observeEnd: number;
}

/** From a drill's recorded timeline, or from its events as an array (read back from `timeline.ndjson`). */
export function measure(recorded: RecordedTimeline | readonly TimelineEvent[], m: Milestones, options: MeasureOptions): Measurements {
  const timeline = 'samples' in recorded ? recorded : Timeline.of(recorded);
  const events = timeline.events;
  const between = (a: Instant | null, b: Instant | null) => (a && b ? durationBetween(a, b) : null);
  const origin = options.origin === 'impact' ? m.impact : m.fault;
  const rpo = m.fault ? measureRpo(events, m.fault) : null;
  return {
    detectionMs: between(m.fault, m.detect),
    decisionMs: between(m.detect, m.decide),
    failoverMs: between(m.decide, m.recovered),
    rtoMs: between(origin, m.recovered),
    rpoMs: rpo?.rpoMs ?? null,
    lostWrites: rpo?.lostWrites ?? null,
    availability: m.fault ? measureAvailability(timeline, options, m.fault) : null,
  };
}

function measureAvailability(timeline: RecordedTimeline, options: MeasureOptions, fault: Instant): Measurement | null {
  let total = 0;
  let good = 0;
  for (const probe of options.userFacing) {
    const own = timeline.samples.of(probe);
    if (!own) continue;
    for (let i = own.indexAtOrAfter(fault.t); i < own.length && own.tAt(i) < options.observeEnd; i++) {
      total++;
      if (own.okAt(i)) good++;
    }
  }
  return total === 0 ? null : exactMeasurement(good / total);
}

/**
 * RPO from data canaries: how far before the fault the newest write that survived on the
 * recovered side was committed (0 when no acknowledged write was lost). The true loss window
 * for other data lies between that write and the next canary, so the canary interval bounds it.
 */
function measureRpo(events: RecordedTimeline['events'], fault: Instant): { rpoMs: Measurement; lostWrites: Measurement } | null {
  const canaries = events.filter((e): e is CanaryEvent => e.kind === 'canary');
  const names = [...new Set(canaries.map((e) => e.canary))];
  // With several canaries (a heartbeat table and writes through the app), each figure is the
  // worst any canary saw: the largest RPO, and the most acknowledged writes lost.
  const each = names.map((name) => canaryRpo(canaries.filter((e) => e.canary === name), fault)).filter((r) => r !== null);
  if (each.length === 0) return null;
  const worstRpo = each.reduce((worst, r) => (r.rpoMs.upper > worst.rpoMs.upper ? r : worst)).rpoMs;
  const mostLost = Math.max(...each.map((r) => r.lostWrites.value));
  return { rpoMs: worstRpo, lostWrites: exactMeasurement(mostLost) };
}

function canaryRpo(canary: CanaryEvent[], fault: Instant): { rpoMs: Measurement; lostWrites: Measurement } | null {
  const read = canary.filter((e) => e.action === 'read' && e.ok).at(-1);
  if (!read || read.lost === undefined) return null;
  const lostWrites = exactMeasurement(read.lost);
  if (read.lost === 0) return { rpoMs: exactMeasurement(0), lostWrites };
  const acked = canary.filter((e) => e.action === 'write' && e.ok);
  const survivor = read.newestCommitT;
  const firstLost = acked.find((w) => w.seq !== undefined && w.seq > (read.newestSeq ?? -1));
  if (survivor === undefined) {
    // Nothing survived: the loss reaches back at least to the first lost write.
    const since = firstLost?.t ?? fault.t;
    return { rpoMs: { value: fault.t - since, lower: Math.max(0, fault.lower - since), upper: fault.upper - since }, lostWrites };
  }
  return {
    rpoMs: {
      value: Math.max(0, fault.t - survivor),
      lower: Math.max(0, fault.lower - (firstLost?.t ?? survivor)),
      upper: Math.max(0, fault.upper - survivor),
    },
    lostWrites,
  };
}
