import { formatDuration } from './duration.js';
import type { Instant } from './measurement.js';
import { goodSampleOf, transitionInstant } from './milestone-tracker.js';
import { signalMatchOf, type Milestones, type MilestoneRules, type RecoveryRule } from './milestones.js';
import type { RecordedTimeline, SignalEvent } from './timeline.js';

/**
 * Why a milestone the rules ask for was not reached, in words, so an empty milestone (and the
 * inconclusive targets it leaves) never goes unexplained; and a milestone whose state was passed
 * unseen, which is placed only as well as the polls on either side allow.
 */
export function milestoneGaps(timeline: RecordedTimeline, m: Milestones, rules: MilestoneRules, flap = recoveryFlap(timeline, m, rules)): string[] {
  // Without a fault nothing else is measured, and the drill's abort says why.
  if (!m.fault) return rules.fault ? [`no T_fault: fault ${rules.fault} never took effect`] : [];
  const gaps: string[] = [];
  for (const name of ['detect', 'decide'] as const) {
    const match = rules[name];
    if (match && 'becomes' in match && m[name]) {
      const unseen = signalMatchOf(timeline.events.filter((e): e is SignalEvent => e.kind === 'signal' && e.signal === match.signal), match, m.fault)?.passedUnseen;
      if (unseen) gaps.push(`T_${name}: signal ${match.signal} passed ${match.becomes} unseen (it went ${unseen.previous ?? 'from its first state'} → ${unseen.state}): placed between ${formatDuration(m[name].lower)} and ${formatDuration(m[name].upper)}, the polls on either side`);
    }
    if (!match || m[name]) continue;
    if ('gate' in match) {
      gaps.push(`no T_${name}: gate ${match.gate} was not approved after the fault`);
      continue;
    }
    const states = timeline.events.filter((e) => e.kind === 'signal' && e.signal === match.signal).map((e) => (e as { state: string }).state);
    const wanted = 'becomes' in match ? `become ${match.becomes}` : 'change';
    gaps.push(`no T_${name}: signal ${match.signal} did not ${wanted} after the fault (states seen: ${states.join(' → ') || 'none'}); a state that lasts less than one poll is never seen, so poll faster or read a source that keeps history`);
  }
  const order = [['fault', m.fault], ['detect', m.detect], ['decide', m.decide], ['recovered', m.recovered]] as const;
  for (let i = 1; i < order.length; i++) {
    const [name, at] = order[i]!;
    const [earlierName, earlier] = order[i - 1]!;
    if (at && earlier && at.upper < earlier.lower) gaps.push(`T_${name} came before T_${earlierName} (${formatDuration(at.t)} against ${formatDuration(earlier.t)}): the time between them is counted as 0, and what brought T_${name} did not wait for T_${earlierName}`);
  }
  const rule = rules.recovered;
  if (rule && !m.recovered) {
    const own = timeline.samples.of(rule.probe);
    let good = 0;
    const isGood = goodSampleOf(rule);
    if (own) for (let i = own.indexAtOrAfter((m.impact ?? m.fault).t); i < own.length; i++) if (isGood(own, i)) good++;
    gaps.push(`no T_recovered: probe ${rule.probe} never had ${sustainedText(rule)}${rule.region ? ` served by ${rule.region}` : ''} after the fault (${good} good sample(s) in all)`);
  }
  if (rule && flap) gaps.push(`T_recovered: recovery flapped: probe ${rule.probe} was first served${rule.region ? ` by ${rule.region}` : ''} at ${formatDuration(flap.firstAnswer.t)}, then ${flap.failedAfter} of its next ${flap.samplesAfter} sample(s) failed${rule.region ? ` or were served elsewhere` : ''} before ${sustainedText(rule)} from ${formatDuration(m.recovered!.t)}; T_recovered is when service held, not its first answer`);
  return gaps;
}

function sustainedText(rule: RecoveryRule): string {
  return 'consecutive' in rule ? `${rule.consecutive} good samples in a row` : `${rule.percent}% good over ${rule.windowMs}ms`;
}

/**
 * Service that came back and went again: a good sample before the one recovery held from. Its
 * bounds are where the first answer lies (the lab's tests hold its first serve to them);
 * `failedAfter` of the `samplesAfter` samples between it and T_recovered were not good.
 */
export interface RecoveryFlap {
  firstAnswer: Instant;
  failedAfter: number;
  samplesAfter: number;
}

export function recoveryFlap(timeline: RecordedTimeline, m: Milestones, rules: MilestoneRules): RecoveryFlap | null {
  const rule = rules.recovered;
  const own = rule && timeline.samples.of(rule.probe);
  if (!rule || !own || !m.recovered || !m.fault) return null;
  const isGood = goodSampleOf(rule);
  const held = own.indexAtOrAfter(m.recovered.t);
  let first = -1;
  let failedAfter = 0;
  for (let i = own.indexAtOrAfter((m.impact ?? m.fault).t); i < held; i++) {
    if (isGood(own, i)) {
      if (first < 0) first = i;
    } else if (first >= 0) failedAfter++;
  }
  return first < 0 ? null : { firstAnswer: transitionInstant(own, first), failedAfter, samplesAfter: held - first - 1 };
}
