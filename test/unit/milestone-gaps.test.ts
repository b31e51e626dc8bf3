import { expect } from 'chai';
import { milestoneGaps } from '../../src/core/milestone-gaps.js';
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

  it('says nothing when every milestone was reached, or when no fault took effect at all', () => {
    expect(milestoneGaps(Timeline.of([]), deriveMilestones([], rules), rules)).to.deep.equal([]);
    expect(milestoneGaps(Timeline.of([]), deriveMilestones([], { ...rules, fault: 'outage' }), { ...rules, fault: 'outage' })).to.deep.equal(['no T_fault: fault outage never took effect']);
  });
});
