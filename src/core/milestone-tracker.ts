import { exactInstant, type Instant } from './measurement.js';
import { signalMatchOf, type GateMatch, type MilestoneRules, type Milestones, type RecoveryRule, type SignalMatch } from './milestones.js';
import type { ProbeSamples, SampleStore } from './sample-store.js';
import type { SampleEvent, SignalEvent, TimelineEvent } from './timeline.js';

/**
 * The milestones of `deriveMilestones`, kept up to date as events arrive, at a cost per event that
 * does not grow with the timeline: the first failure of each user-facing probe is remembered, and
 * the search for a sustained recovery keeps a cursor that only moves back when a late answer lands
 * before it. `deriveMilestones` over the whole timeline stays the definition; tests hold the two equal.
 */
export class MilestoneTracker {
  private fault: Instant | null = null;
  /** Per user-facing probe, when its first failure since the fault was sent. */
  private readonly firstFailure = new Map<string, number>();
  private readonly signalChanges = new Map<string, SignalEvent[]>();
  /** When each gate a rule names was approved, in order. */
  private readonly approvals = new Map<string, number[]>();
  private readonly recovery: RecoverySearch | undefined;
  private readonly userFacing: ReadonlySet<string>;
  /** What `current()` returned since the last event: the runner asks after every event, often twice. */
  private latest: Milestones | undefined;
  /** `impact()` until a sample that can move it lands: one at or before a probe's first failure. */
  private latestImpact: Instant | null | undefined;

  constructor(private readonly rules: MilestoneRules, private readonly samples: SampleStore) {
    for (const match of [rules.detect, rules.decide]) {
      if (match && 'gate' in match) this.approvals.set(match.gate, []);
      else if (match) this.signalChanges.set(match.signal, []);
    }
    if (rules.recovered) this.recovery = new RecoverySearch(rules.recovered);
    this.userFacing = new Set(rules.userFacing);
  }

  /** Call with each event after it was appended to the timeline (and a sample to the store). */
  add(event: TimelineEvent): void {
    this.latest = undefined;
    if (event.kind === 'fault' && event.action === 'injected' && !this.fault && (this.rules.fault === undefined || event.fault === this.rules.fault)) this.setFault(event.at ?? exactInstant(event.t));
    else if (event.kind === 'signal') this.signalChanges.get(event.signal)?.push(event);
    else if (event.kind === 'gate' && event.state === 'approved') this.approvals.get(event.gate)?.push(event.t);
    else if (event.kind === 'sample') {
      const own = this.samples.of(event.probe)!;
      if (this.fault && this.userFacing.has(event.probe)) this.userFacingLanded(event);
      if (event.probe === this.rules.recovered?.probe) this.recovery!.landed(own.indexAtOrAfter(event.t));
    }
  }

  current(): Milestones {
    return (this.latest ??= this.derive());
  }

  private derive(): Milestones {
    const fault = this.fault;
    if (!fault) return { fault: null, impact: null, detect: null, decide: null, recovered: null };
    if (this.latestImpact === undefined) this.latestImpact = this.impact();
    const impact = this.latestImpact;
    const recoveredProbe = this.rules.recovered ? this.samples.of(this.rules.recovered.probe) : undefined;
    return {
      fault,
      impact,
      detect: this.rules.detect ? this.signalInstant(this.rules.detect, fault) : null,
      decide: this.rules.decide ? ('gate' in this.rules.decide ? this.gateInstant(this.rules.decide, fault) : this.signalInstant(this.rules.decide, fault)) : null,
      recovered: this.recovery && recoveredProbe ? this.recovery.find(recoveredProbe, (impact ?? fault).t) : null,
    };
  }

  private userFacingLanded(sample: SampleEvent): void {
    const first = this.firstFailure.get(sample.probe);
    if (first !== undefined && sample.t <= first) this.latestImpact = undefined; // the failure's neighbour, or an earlier failure
    if (!sample.ok && sample.t + sample.latencyMs >= this.fault!.lower && (first === undefined || sample.t < first)) {
      this.firstFailure.set(sample.probe, sample.t);
      this.latestImpact = undefined;
    }
  }

  private setFault(fault: Instant): void {
    this.fault = fault;
    this.latestImpact = undefined;
    for (const probe of this.rules.userFacing) {
      const own = this.samples.of(probe);
      if (!own) continue;
      for (let i = 0; i < own.length; i++) {
        if (!own.okAt(i) && own.tAt(i) + own.latencyAt(i) >= fault.lower) {
          this.firstFailure.set(probe, own.tAt(i));
          break;
        }
      }
    }
  }

  private impact(): Instant | null {
    let best: Instant | null = null;
    // In the rules' order, as deriveMilestones breaks ties.
    for (const probe of this.rules.userFacing) {
      const t = this.firstFailure.get(probe);
      if (t === undefined) continue;
      const own = this.samples.of(probe)!;
      const i = own.indexAtOrAfter(t);
      const instant = transitionInstant(own, i);
      if (!best || instant.t < best.t) best = instant;
    }
    return best;
  }

  private gateInstant(match: GateMatch, fault: Instant): Instant | null {
    const t = this.approvals.get(match.gate)!.find((at) => at >= fault.lower);
    return t === undefined ? null : exactInstant(t);
  }

  private signalInstant(match: SignalMatch, fault: Instant): Instant | null {
    return signalMatchOf(this.signalChanges.get(match.signal)!, match, fault)?.at ?? null;
  }
}

/** A change between two samples lies after the earlier one was sent and before the later one answered. */
export function transitionInstant(own: ProbeSamples, i: number): Instant {
  const after = own.at(i);
  return { t: after.t, lower: i > 0 ? own.tAt(i - 1) : after.t, upper: after.t + after.latencyMs };
}

/** Whether sample i counts toward recovery: successful, and served by the rule's Region when it names one. */
export function goodSampleOf(rule: RecoveryRule): (own: ProbeSamples, i: number) => boolean {
  const region = rule.region;
  return region === undefined ? (own, i) => own.okAt(i) : (own, i) => own.okAt(i) && own.regionAt(i) === region;
}

/**
 * The first sustained run of good samples of one probe at or after a given time. Every position
 * before `cursor` is known not to start one; a sample that lands before the cursor (a late answer)
 * moves it back by at most one run or window.
 */
class RecoverySearch {
  private cursor = 0;
  private fromT = Number.NaN;
  private dirtyFrom = Number.POSITIVE_INFINITY;
  private foundT: number | undefined;

  /** Made once, not per scan: the search runs after every event. */
  private readonly good: (own: ProbeSamples, i: number) => boolean;

  constructor(private readonly rule: RecoveryRule) {
    this.good = goodSampleOf(rule);
  }

  landed(index: number): void {
    this.dirtyFrom = Math.min(this.dirtyFrom, index);
  }

  find(own: ProbeSamples, fromT: number): Instant | null {
    const start = own.indexAtOrAfter(fromT);
    if (fromT !== this.fromT) {
      this.fromT = fromT;
      this.cursor = start;
      this.foundT = undefined;
    } else if (this.dirtyFrom !== Number.POSITIVE_INFINITY) {
      const reach = Math.max(start, this.firstAffected(own, this.dirtyFrom));
      if (this.foundT !== undefined && reach <= own.indexAtOrAfter(this.foundT)) this.foundT = undefined;
      // A late answer landing before the cursor shifted what it points at: never before `start`.
      this.cursor = Math.max(start, Math.min(this.cursor, reach));
    }
    this.dirtyFrom = Number.POSITIVE_INFINITY;
    if (this.foundT === undefined) this.scan(own);
    return this.foundT === undefined ? null : transitionInstant(own, own.indexAtOrAfter(this.foundT));
  }

  /** The earliest position whose verdict a sample landing at `index` can change (its predecessor is part of the answer). */
  private firstAffected(own: ProbeSamples, index: number): number {
    if ('consecutive' in this.rule) return Math.max(0, index - this.rule.consecutive);
    return Math.max(0, own.indexAtOrAfter(own.tAt(Math.min(index, own.length - 1)) - this.rule.windowMs) - 1);
  }

  private scan(own: ProbeSamples): void {
    let i = this.cursor;
    while (i < own.length) {
      if (!this.good(own, i)) { i++; continue; }
      const verdict = 'consecutive' in this.rule ? this.consecutiveFrom(own, i, this.rule.consecutive) : this.windowFrom(own, i, this.rule);
      if (verdict === 'undecided') break;
      if (verdict === 'sustained') {
        this.foundT = own.tAt(i);
        break;
      }
      i = verdict.next;
    }
    this.cursor = i;
  }

  private consecutiveFrom(own: ProbeSamples, i: number, n: number): 'sustained' | 'undecided' | { next: number } {
    if (i + n > own.length) return 'undecided';
    for (let j = i; j < i + n; j++) if (!this.good(own, j)) return { next: j + 1 };
    return 'sustained';
  }

  private windowFrom(own: ProbeSamples, i: number, rule: { percent: number; windowMs: number }): 'sustained' | 'undecided' | { next: number } {
    const end = own.tAt(i) + rule.windowMs;
    if (own.tAt(own.length - 1) < end) return 'undecided';
    let inWindow = 0;
    let goodCount = 0;
    for (let j = own.indexAtOrAfter(own.tAt(i)); j < own.length && own.tAt(j) <= end; j++) {
      inWindow++;
      if (this.good(own, j)) goodCount++;
    }
    return (goodCount / inWindow) * 100 >= rule.percent ? 'sustained' : { next: i + 1 };
  }
}
