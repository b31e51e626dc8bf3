import { exactInstant, type Instant } from './measurement.js';
import { UNKNOWN_STATE, type SampleEvent, type SignalEvent, type TimelineEvent } from './timeline.js';

/**
 * A signal state that marks a milestone: the first transition to `becomes`, or any change.
 * `later` names states that only ever come after `becomes` (a controller's detected → decided →
 * recovered): a change straight into one of them passed `becomes` unseen between two polls.
 */
export type SignalMatch = { signal: string; becomes: string; later?: string[] } | { signal: string; changes: true };

/** A manual gate whose approval marks a milestone (a person decided to fail over). */
export interface GateMatch { gate: string }

/**
 * When service counts as recovered: the first sustained window of good samples, where good means
 * a successful sample served by `region` (any Region when unset).
 * - `consecutive`: N good samples in a row;
 * - `percent` over `windowMs`: at least X % of the samples in a window that starts with a good one.
 */
export type RecoveryRule =
  | { probe: string; region?: string; consecutive: number }
  | { probe: string; region?: string; percent: number; windowMs: number };

export interface MilestoneRules {
  /** The fault whose taking effect is `T_fault` (the disaster); default the first fault injected. */
  fault?: string;
  /** Probes whose samples are what users see: their first failure is T_impact. */
  userFacing: string[];
  detect?: SignalMatch;
  decide?: SignalMatch | GateMatch;
  recovered?: RecoveryRule;
}

export interface Milestones {
  fault: Instant | null;
  impact: Instant | null;
  detect: Instant | null;
  decide: Instant | null;
  recovered: Instant | null;
}

export function deriveMilestones(events: readonly TimelineEvent[], rules: MilestoneRules): Milestones {
  const fault = faultInstant(events, rules.fault);
  if (!fault) return { fault: null, impact: null, detect: null, decide: null, recovered: null };
  // Samples are appended when they answer, so a slow one lands after a later fast one.
  const samples = events.filter((e): e is SampleEvent => e.kind === 'sample').sort((a, b) => a.t - b.t);
  const impact = firstImpact(samples, rules.userFacing, fault);
  return {
    fault,
    impact,
    detect: rules.detect ? signalInstant(events, rules.detect, fault) : null,
    decide: rules.decide ? ('gate' in rules.decide ? gateInstant(events, rules.decide, fault) : signalInstant(events, rules.decide, fault)) : null,
    recovered: rules.recovered ? recoveredInstant(samples, rules.recovered, impact ?? fault) : null,
  };
}

/** The named fault taking effect, else the first that did; later faults of the same drill do not move the origin. */
function faultInstant(events: readonly TimelineEvent[], name: string | undefined): Instant | null {
  for (const e of events) if (e.kind === 'fault' && e.action === 'injected' && (name === undefined || e.fault === name)) return e.at ?? exactInstant(e.t);
  return null;
}

/**
 * A sample sent at t and answered latencyMs later saw the system at some moment in
 * [t, t + latencyMs]; a change between two samples lies after the earlier one was sent.
 */
function transitionInstant(before: SampleEvent | undefined, after: SampleEvent): Instant {
  return { t: after.t, lower: before ? before.t : after.t, upper: after.t + after.latencyMs };
}

function firstImpact(samples: SampleEvent[], userFacing: string[], fault: Instant): Instant | null {
  let best: Instant | null = null;
  for (const probe of userFacing) {
    const own = samples.filter((s) => s.probe === probe);
    const i = own.findIndex((s) => !s.ok && s.t + s.latencyMs >= fault.lower);
    if (i < 0) continue;
    const instant = transitionInstant(own[i - 1], own[i]!);
    if (!best || instant.t < best.t) best = instant;
  }
  return best;
}

function signalInstant(events: readonly TimelineEvent[], match: SignalMatch, fault: Instant): Instant | null {
  return signalMatchOf(events.filter((e): e is SignalEvent => e.kind === 'signal' && e.signal === match.signal), match, fault)?.at ?? null;
}

/**
 * The change of one signal's `changes` that marks the milestone, and when. `changes` means a known
 * state other than the first one seen: a gap (`unknown`) is no change. A state passed unseen lies
 * after the poll that still saw the state before (or, when the change is timed by the source's
 * clock, after the change before it) and before the later state.
 */
export function signalMatchOf(changes: readonly SignalEvent[], match: SignalMatch, fault: Instant): { at: Instant; passedUnseen?: SignalEvent } | null {
  const baseline = changes.find((e) => e.state !== UNKNOWN_STATE)?.state;
  const later = 'becomes' in match ? match.later ?? [] : [];
  const index = changes.findIndex((e) => e.at.upper >= fault.lower && ('becomes' in match
    ? e.state === match.becomes || (later.includes(e.state) && e.previous !== match.becomes && !later.includes(e.previous ?? ''))
    : e.state !== baseline && e.state !== UNKNOWN_STATE));
  const hit = changes[index];
  if (!hit) return null;
  if (!('becomes' in match) || hit.state === match.becomes) return { at: hit.at };
  const lower = hit.source === 'observed' ? hit.at.lower : changes[index - 1]?.at.upper ?? hit.at.lower;
  return { at: { t: hit.at.t, lower: Math.min(lower, hit.at.upper), upper: hit.at.upper }, passedUnseen: hit };
}

/** The approval is exact: the drill's own clock read when it arrived. */
function gateInstant(events: readonly TimelineEvent[], match: GateMatch, fault: Instant): Instant | null {
  const hit = events.find((e) => e.kind === 'gate' && e.gate === match.gate && e.state === 'approved' && e.t >= fault.lower);
  return hit ? exactInstant(hit.t) : null;
}

function recoveredInstant(samples: SampleEvent[], rule: RecoveryRule, after: Instant): Instant | null {
  const own = samples.filter((s) => s.probe === rule.probe);
  const good = (s: SampleEvent) => s.ok && (rule.region === undefined || s.region === rule.region);
  const start = own.findIndex((s) => s.t >= after.t);
  if (start < 0) return null;
  for (let i = start; i < own.length; i++) {
    if (!good(own[i]!)) continue;
    if (isSustainedFrom(own, i, rule, good)) return transitionInstant(i > 0 ? own[i - 1] : undefined, own[i]!);
  }
  return null;
}

function isSustainedFrom(own: SampleEvent[], i: number, rule: RecoveryRule, good: (s: SampleEvent) => boolean): boolean {
  if ('consecutive' in rule) {
    const run = own.slice(i, i + rule.consecutive);
    return run.length === rule.consecutive && run.every(good);
  }
  const end = own[i]!.t + rule.windowMs;
  if (own[own.length - 1]!.t < end) return false; // the window has not been fully observed
  const inWindow = own.filter((s) => s.t >= own[i]!.t && s.t <= end);
  return (inWindow.filter(good).length / inWindow.length) * 100 >= rule.percent;
}
