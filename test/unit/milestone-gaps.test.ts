import { expect } from 'chai';
import { milestoneGaps, recoveryFlap } from '../../src/core/milestone-gaps.js';
import { deriveMilestones, type MilestoneRules } from '../../src/core/milestones.js';
import { Timeline, type TimelineEvent } from '../../src/core/timeline.js';
import { injected, samples, signal } from './timeline-builders.js';

describe('milestoneGaps: why a milestone is empty', () => {
  const rules: MilestoneRules = {
    userFacing: ['app'],
    detect: { signal: 'alarm', becomes: 'ALARM' },
    decide: { signal: 'decision', becomes: 'ALARM' },
    recovered: { probe: 'app', region: 'us-west-2', consecutive: 3 },
  };

  it('names the signal that never reached its state, with the states it did show, and the recovery rule not met', () => {
    const events: TimelineEvent[] = [signal('decision', 'OK', 0), injected(1_000, { t: 1_000, lower: 1_000, upper: 1_000 }), signal('alarm', 'ALARM', 1_200), signal('decision', 'unknown', 1_300), signal('decision', 'OK', 1_400), ...samples('app', 0, 100, '++++++++++--------')];
    const m = deriveMilestones(events, rules);
    expect(m.detect).to.not.equal(null);
    const gaps = milestoneGaps(Timeline.of(events), m, rules);
    expect(gaps).to.have.length(2);
    expect(gaps[0]).to.match(/^no T_decide: signal decision did not become ALARM after the fault \(states seen: OK → unknown → OK\); a state that lasts less than one poll is never seen/);
    expect(gaps[1]).to.equal('no T_recovered: probe app never had 3 good samples in a row served by us-west-2 after the fault (0 good sample(s) in all)');
  });

  it('says when a milestone came before the one it follows: the service back before the decision', () => {
    const events: TimelineEvent[] = [injected(1_000, { t: 1_000, lower: 1_000, upper: 1_000 }), signal('alarm', 'ALARM', 1_200), ...samples('app', 900, 100, '+----+++++', { region: 'us-west-2' }), signal('decision', 'ALARM', 3_000)];
    const m = deriveMilestones(events, rules);
    expect(m.recovered!.upper).to.be.below(m.decide!.lower);
    expect(milestoneGaps(Timeline.of(events), m, rules)).to.deep.equal([`T_recovered came before T_decide (${(m.recovered!.t / 1000).toFixed(2)}s against 3.00s): the time between them is counted as 0, and what brought T_recovered did not wait for T_decide`]);
  });

  it('says when recovery flapped: served once, failed again, and held only later', () => {
    const events: TimelineEvent[] = [injected(1_000, { t: 1_000, lower: 1_000, upper: 1_000 }), signal('alarm', 'ALARM', 1_100), signal('decision', 'ALARM', 1_200),
      ...samples('app', 1_000, 100, '--++-+-+++', { region: 'us-west-2' })];
    const m = deriveMilestones(events, rules);
    expect(m.recovered!.t).to.equal(1_700);
    expect(recoveryFlap(Timeline.of(events), m, rules)).to.deep.equal({ firstAnswer: { t: 1_200, lower: 1_100, upper: 1_210 }, failedAfter: 2, samplesAfter: 4 });
    expect(milestoneGaps(Timeline.of(events), m, rules)).to.deep.equal(['T_recovered: recovery flapped: probe app was first served by us-west-2 at 1.20s, then 2 of its next 4 sample(s) failed or were served elsewhere before 3 good samples in a row from 1.70s; T_recovered is when service held, not its first answer']);
  });

  it('a good answer from another Region is no recovery to flap from', () => {
    const events: TimelineEvent[] = [injected(1_000, { t: 1_000, lower: 1_000, upper: 1_000 }), signal('alarm', 'ALARM', 1_100), signal('decision', 'ALARM', 1_200),
      ...samples('app', 1_000, 100, '--++', { region: 'us-east-1' }), ...samples('app', 1_400, 100, '+++', { region: 'us-west-2' })];
    const m = deriveMilestones(events, rules);
    expect(m.recovered!.t).to.equal(1_400);
    expect(recoveryFlap(Timeline.of(events), m, rules)).to.equal(null);
    expect(milestoneGaps(Timeline.of(events), m, rules)).to.deep.equal([]);
  });

  it('says nothing when every milestone was reached, or when no fault took effect at all', () => {
    expect(milestoneGaps(Timeline.of([]), deriveMilestones([], rules), rules)).to.deep.equal([]);
    expect(milestoneGaps(Timeline.of([]), deriveMilestones([], { ...rules, fault: 'outage' }), { ...rules, fault: 'outage' })).to.deep.equal(['no T_fault: fault outage never took effect']);
  });
});
