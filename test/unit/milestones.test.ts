import { expect } from 'chai';
import { deriveMilestones, type MilestoneRules, type RecoveryRule, type SignalMatch } from '../../src/core/milestones.js';
import { UNKNOWN_STATE, type TimelineEvent } from '../../src/core/timeline.js';
import { injected, sample, samples, signal } from './timeline-builders.js';

const RULES: MilestoneRules = { userFacing: ['app'] };
const fault = injected(1_000, { t: 1_000, lower: 990, upper: 1_010 });

describe('deriveMilestones', () => {
  describe('T_fault', () => {
    it('is the `at` of the first injected fault event', () => {
      const events: TimelineEvent[] = [
        { kind: 'fault', t: 900, fault: 'outage', faultKind: 'blackhole', action: 'inject-intent' },
        fault,
        injected(3_000, { t: 2_900, lower: 2_900, upper: 2_900 }, 'second'),
      ];
      expect(deriveMilestones(events, RULES).fault).to.deep.equal({ t: 1_000, lower: 990, upper: 1_010 });
    });

    it('is the named fault when the scenario says which one is the disaster', () => {
      const events: TimelineEvent[] = [fault, injected(3_000, { t: 2_900, lower: 2_890, upper: 2_900 }, 'second')];
      expect(deriveMilestones(events, { ...RULES, fault: 'second' }).fault).to.deep.equal({ t: 2_900, lower: 2_890, upper: 2_900 });
      expect(deriveMilestones(events, { ...RULES, fault: 'never-injected' }).fault).to.equal(null);
    });

    it('falls back to the event time when the fault gave no `at`', () => {
      const events: TimelineEvent[] = [{ kind: 'fault', t: 1_234, fault: 'outage', faultKind: 'blackhole', action: 'injected' }];
      expect(deriveMilestones(events, RULES).fault).to.deep.equal({ t: 1_234, lower: 1_234, upper: 1_234 });
    });

    it('leaves every milestone null when no fault took effect', () => {
      const events: TimelineEvent[] = [...samples('app', 0, 100, '++--++'), signal('alarm', 'ALARM', 300)];
      const rules: MilestoneRules = { userFacing: ['app'], detect: { signal: 'alarm', becomes: 'ALARM' }, recovered: { probe: 'app', consecutive: 1 } };
      expect(deriveMilestones(events, rules)).to.deep.equal({ fault: null, impact: null, detect: null, decide: null, recovered: null });
    });
  });

  describe('T_impact', () => {
    it('spans from the previous sample to the failing sample plus its latency', () => {
      const events: TimelineEvent[] = [fault, ...samples('app', 800, 200, '+++--', { latencyMs: 30 })];
      // samples at 800, 1000, 1200 ok; 1400 fails.
      expect(deriveMilestones(events, RULES).impact).to.deep.equal({ t: 1_400, lower: 1_200, upper: 1_430 });
    });

    it('ignores failures that answered before the fault and probes that are not user-facing', () => {
      const events: TimelineEvent[] = [
        sample('app', 500, false, { latencyMs: 20 }),
        fault,
        sample('app', 1_100, true),
        sample('internal', 1_150, false),
        sample('app', 1_300, false, { latencyMs: 50 }),
      ];
      expect(deriveMilestones(events, RULES).impact).to.deep.equal({ t: 1_300, lower: 1_100, upper: 1_350 });
    });

    it('takes the earliest first failure across user-facing probes', () => {
      const events: TimelineEvent[] = [fault, ...samples('app', 1_000, 100, '++-'), ...samples('api', 1_050, 100, '+-')];
      const impact = deriveMilestones(events, { userFacing: ['app', 'api'] }).impact;
      expect(impact).to.deep.equal({ t: 1_150, lower: 1_050, upper: 1_160 });
    });

    it('has no lower neighbour to lean on when the very first sample fails', () => {
      const events: TimelineEvent[] = [fault, sample('app', 1_020, false, { latencyMs: 15 })];
      expect(deriveMilestones(events, RULES).impact).to.deep.equal({ t: 1_020, lower: 1_020, upper: 1_035 });
    });
  });

  describe('T_detect and T_decide from signals', () => {
    const cases: { title: string; match: SignalMatch; events: TimelineEvent[]; expected: number | null }[] = [
      {
        title: '`becomes` takes the first transition to that state after the fault',
        match: { signal: 'alarm', becomes: 'ALARM' },
        events: [signal('alarm', 'OK', 100), signal('alarm', 'ALARM', 1_500, 'OK'), signal('alarm', 'ALARM', 2_500, 'OK')],
        expected: 1_500,
      },
      {
        title: '`becomes` ignores a transition that ended before the fault',
        match: { signal: 'alarm', becomes: 'ALARM' },
        events: [signal('alarm', 'ALARM', 500), signal('alarm', 'OK', 700, 'ALARM')],
        expected: null,
      },
      {
        title: '`changes` is the first known state other than the first one seen',
        match: { signal: 'record', changes: true },
        events: [signal('record', '10.0.0.1', 100), signal('record', '10.0.0.2', 1_800, '10.0.0.1')],
        expected: 1_800,
      },
      {
        title: '`changes`: a gap to unknown and back to the same state is no change',
        match: { signal: 'record', changes: true },
        events: [signal('record', '10.0.0.1', 100), signal('record', UNKNOWN_STATE, 1_200, '10.0.0.1'), signal('record', '10.0.0.1', 1_400, UNKNOWN_STATE)],
        expected: null,
      },
      {
        title: '`changes`: unknown first does not become the baseline',
        match: { signal: 'record', changes: true },
        events: [signal('record', UNKNOWN_STATE, 100), signal('record', '10.0.0.1', 300, UNKNOWN_STATE), signal('record', '10.0.0.2', 2_000, '10.0.0.1')],
        expected: 2_000,
      },
      {
        title: '`changes` after a gap to a new state is a change, placed at the new state',
        match: { signal: 'record', changes: true },
        events: [signal('record', '10.0.0.1', 100), signal('record', UNKNOWN_STATE, 1_200, '10.0.0.1'), signal('record', '10.0.0.2', 1_600, UNKNOWN_STATE)],
        expected: 1_600,
      },
      {
        title: 'another signal does not count',
        match: { signal: 'alarm', becomes: 'ALARM' },
        events: [signal('other', 'ALARM', 1_500)],
        expected: null,
      },
    ];
    for (const { title, match, events, expected } of cases) {
      it(title, () => {
        const m = deriveMilestones([fault, ...events], { userFacing: [], detect: match, decide: match });
        expect(m.detect?.t ?? null).to.equal(expected);
        expect(m.decide?.t ?? null).to.equal(expected);
      });
    }

    it('keeps the bounds the signal was known within', () => {
      const at = { t: 1_600, lower: 1_450, upper: 1_620 };
      const m = deriveMilestones([fault, signal('alarm', 'ALARM', at)], { userFacing: [], detect: { signal: 'alarm', becomes: 'ALARM' } });
      expect(m.detect).to.deep.equal(at);
    });

    it('counts a change whose bounds straddle the fault', () => {
      const at = { t: 980, lower: 900, upper: 1_000 };
      const m = deriveMilestones([fault, signal('alarm', 'ALARM', at)], { userFacing: [], detect: { signal: 'alarm', becomes: 'ALARM' } });
      expect(m.detect).to.deep.equal(at);
    });
  });

  describe('T_recovered', () => {
    const recoveredOf = (events: TimelineEvent[], recovered: RecoveryRule) => deriveMilestones([fault, ...events], { userFacing: ['app'], recovered }).recovered;
    const west = { region: 'us-west-2' };
    const east = { region: 'us-east-1' };

    it('with `consecutive`: the start of the first run of N good samples', () => {
      // 1000 fails, 1100 ok, 1200 fails, then 1300..1500 ok.
      const events = samples('app', 1_000, 100, '-+-+++', west);
      expect(recoveredOf(events, { probe: 'app', consecutive: 3 })).to.deep.equal({ t: 1_300, lower: 1_200, upper: 1_310 });
    });

    it('with `consecutive`: a run shorter than N at the end is not recovered yet', () => {
      const events = samples('app', 1_000, 100, '--++', west);
      expect(recoveredOf(events, { probe: 'app', consecutive: 3 })).to.equal(null);
    });

    it('with a region: ok samples served by the wrong region do not count', () => {
      const events = [...samples('app', 1_000, 100, '-+++', east), ...samples('app', 1_400, 100, '+++', west)];
      expect(recoveredOf(events, { probe: 'app', region: 'us-west-2', consecutive: 3 })).to.deep.equal({ t: 1_400, lower: 1_300, upper: 1_410 });
      expect(recoveredOf(events, { probe: 'app', consecutive: 3 })?.t).to.equal(1_100);
    });

    it('with a region: a wrong-region sample breaks the run', () => {
      const events = [...samples('app', 1_000, 100, '-++', west), sample('app', 1_300, true, east), ...samples('app', 1_400, 100, '++', west)];
      expect(recoveredOf(events, { probe: 'app', region: 'us-west-2', consecutive: 3 })).to.equal(null);
    });

    it('only counts samples after the impact', () => {
      // Good before the fault, the impact at 1300: recovery is the run starting at 1400.
      const events = [...samples('app', 800, 100, '+++++-++++', west)];
      expect(recoveredOf(events, { probe: 'app', consecutive: 3 })?.t).to.equal(1_400);
    });

    it('with `percent`: the first good sample whose window reaches the percentage', () => {
      // From 1100: + - + + + + over 500ms => 5 of 6 = 83%.
      const events = samples('app', 1_000, 100, '-+-++++', west);
      expect(recoveredOf(events, { probe: 'app', percent: 80, windowMs: 500 })).to.deep.equal({ t: 1_100, lower: 1_000, upper: 1_110 });
      // Needing 90%, the window from 1300 (1300..1600, 4 of 4) is the first to qualify... once observed.
      expect(recoveredOf(events, { probe: 'app', percent: 90, windowMs: 300 })?.t).to.equal(1_300);
    });

    it('with `percent`: a window not yet fully observed does not count', () => {
      const events = samples('app', 1_000, 100, '-++++', west); // last sample at 1400
      expect(recoveredOf(events, { probe: 'app', percent: 50, windowMs: 500 })).to.equal(null);
      expect(recoveredOf(events, { probe: 'app', percent: 50, windowMs: 300 })?.t).to.equal(1_100);
    });

    it('with `percent` and a region: other regions count against the window', () => {
      const events = [sample('app', 1_000, false), ...samples('app', 1_100, 100, '++', west), ...samples('app', 1_300, 100, '+++', east)];
      expect(recoveredOf(events, { probe: 'app', region: 'us-west-2', percent: 60, windowMs: 400 })).to.equal(null);
      expect(recoveredOf(events, { probe: 'app', region: 'us-west-2', percent: 40, windowMs: 400 })?.t).to.equal(1_100);
    });
  });

  it('handles sample events appended out of order (a slow sample answers after a later fast one)', () => {
    const inOrder = [...samples('app', 1_000, 100, '++', west()), sample('app', 1_200, false, { latencyMs: 400 }), ...samples('app', 1_300, 100, '+++', west())];
    // The slow failing sample sent at 1200 lands on the timeline after the samples sent at 1300 and 1400.
    const appended = [inOrder[0]!, inOrder[1]!, inOrder[3]!, inOrder[4]!, inOrder[2]!, inOrder[5]!];
    const rules: MilestoneRules = { userFacing: ['app'], recovered: { probe: 'app', region: 'us-west-2', consecutive: 3 } };
    const m = deriveMilestones([fault, ...appended], rules);
    expect(m.impact).to.deep.equal({ t: 1_200, lower: 1_100, upper: 1_600 });
    expect(m.recovered).to.deep.equal({ t: 1_300, lower: 1_200, upper: 1_310 });
  });
});

function west() {
  return { region: 'us-west-2' };
}
