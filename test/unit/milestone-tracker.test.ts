import { expect } from 'chai';
import { MilestoneTracker } from '../../src/core/milestone-tracker.js';
import { deriveMilestones, type MilestoneRules } from '../../src/core/milestones.js';
import { Timeline, type SampleEvent, type TimelineEvent } from '../../src/core/timeline.js';
import { seededRandom, type Random } from '../support/fuzz-mutations.js';

/**
 * The incremental milestones must equal what `deriveMilestones` derives from the whole timeline,
 * after every single event, on generated drills: samples answering out of order (a slow one after
 * a later fast one), failures before and after the fault, Regions switching, signals flapping
 * through `unknown`.
 */
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);

interface GeneratedDrill { events: TimelineEvent[]; rules: MilestoneRules }

function generateDrill(random: Random): GeneratedDrill {
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  const interval = int(5, 50);
  const faultT = int(100, 600);
  const outage = int(0, 800);
  const sent: SampleEvent[] = [];
  for (const probe of ['app', 'api', 'internal']) {
    const flaky = random() * 0.3;
    for (let t = int(0, interval); t < 2_000; t += interval) {
      const down = t >= faultT && t < faultT + outage;
      const ok = down ? random() < flaky : random() > flaky / 4;
      const region = t < faultT + outage / 2 ? 'us-east-1' : random() < 0.8 ? 'us-west-2' : 'us-east-1';
      sent.push({ kind: 'sample', t, probe, ok, latencyMs: int(1, interval * 3), ...(ok ? { region } : { error: 'refused' }) });
    }
  }
  // Appended when they answer: a slow sample lands after later fast ones.
  const timed: { at: number; event: TimelineEvent }[] = sent.map((s) => ({ at: s.t + s.latencyMs, event: s }));
  timed.push({ at: faultT + int(0, 20), event: { kind: 'fault', t: faultT + 20, fault: 'outage', faultKind: 'fake', action: 'injected', at: { t: faultT, lower: faultT - int(0, 30), upper: faultT + int(0, 30) } } });
  // Sometimes a fault before the disaster (replication held back), which the rules may skip.
  const twoFaults = random() < 0.5;
  if (twoFaults) timed.push({ at: faultT - 50, event: { kind: 'fault', t: faultT - 50, fault: 'replication', faultKind: 'fake', action: 'injected', at: { t: faultT - 60, lower: faultT - 60, upper: faultT - 50 } } });
  let state = 'OK';
  for (let t = int(0, 50); t < 2_000; t += int(20, 200)) {
    const next = random() < 0.2 ? 'unknown' : t > faultT + int(0, 400) ? 'ALARM' : random() < 0.1 ? 'ALARM' : 'OK';
    if (next === state) continue;
    const source = random() < 0.5;
    timed.push({ at: t, event: { kind: 'signal', t, signal: random() < 0.5 ? 'alarm' : 'decision', state: next, previous: state, at: source ? { t: t - 5, lower: t - 5, upper: t - 5 } : { t, lower: t - 30, upper: t }, observedT: t, source: source ? 'source-clock' : 'observed' } });
    state = next;
  }
  // A person approving the failover gate, before or after the fault, once or twice.
  for (let i = int(0, 2); i > 0; i--) {
    const t = int(0, 2_000);
    timed.push({ at: t, event: { kind: 'gate', t, gate: random() < 0.8 ? 'failover' : 'other', state: random() < 0.8 ? 'approved' : 'waiting', by: 'ic' } });
  }
  timed.sort((a, b) => a.at - b.at);
  const recovered = random() < 0.5
    ? { probe: 'app', consecutive: int(1, 6), ...(random() < 0.7 ? { region: 'us-west-2' } : {}) }
    : { probe: 'app', percent: int(50, 100), windowMs: int(20, 300), ...(random() < 0.7 ? { region: 'us-west-2' } : {}) };
  return {
    events: timed.map((x) => x.event),
    rules: { ...(twoFaults && random() < 0.7 ? { fault: 'outage' } : {}), userFacing: random() < 0.5 ? ['app'] : ['app', 'api'], detect: { signal: 'alarm', becomes: 'ALARM' }, decide: pick(random, [{ signal: 'decision', changes: true }, { signal: 'decision', becomes: 'ALARM' }, { gate: 'failover' }]), recovered },
  };
}

function pick<T>(random: Random, choices: T[]): T {
  return choices[Math.floor(random() * choices.length)]!;
}

describe(`MilestoneTracker equals deriveMilestones (seed ${SEED}; FUZZ_SEED=n reproduces)`, () => {
  it('after every event of 60 generated drills', () => {
    const random = seededRandom(SEED);
    for (let n = 0; n < 60; n++) {
      const { events, rules } = generateDrill(random);
      const timeline = new Timeline();
      const tracker = new MilestoneTracker(rules, timeline.samples);
      timeline.subscribe((e) => tracker.add(e));
      for (let i = 0; i < events.length; i++) {
        timeline.append(events[i]!);
        // Asked now and then, as the runner does: the cursor must survive gaps between questions.
        if (i % 3 === 0 || i === events.length - 1) {
          expect(tracker.current(), `drill ${n}, after event ${i} (${JSON.stringify(rules.recovered)})`).to.deep.equal(deriveMilestones(events.slice(0, i + 1), rules));
        }
      }
    }
  });

  it('the drills generated reach every milestone often enough to mean something', () => {
    const random = seededRandom(SEED);
    let recovered = 0;
    let impact = 0;
    for (let n = 0; n < 60; n++) {
      const { events, rules } = generateDrill(random);
      const m = deriveMilestones(events, rules);
      if (m.recovered) recovered++;
      if (m.impact) impact++;
    }
    expect(recovered).to.be.at.least(10);
    expect(impact).to.be.above(30);
  });
});
