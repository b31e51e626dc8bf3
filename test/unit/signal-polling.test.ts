import { expect } from 'chai';
import { createClock } from '../../src/core/clock.js';
import { sourceClockWarnings } from '../../src/core/source-clock-warnings.js';
import { Timeline, type SignalEvent } from '../../src/core/timeline.js';
import { pollSignal } from '../../src/runner/schedule.js';
import type { Observation, Signal } from '../../src/signals/signal.js';

/** A signal whose answers follow a script, one per poll; the last repeats. */
function scriptedSignal(answers: ((anchorWallMs: number, now: number) => Observation)[], anchorWallMs: number, clockNow: () => number): Signal {
  let poll = 0;
  return {
    name: 'status', intervalMs: 5,
    observe: async () => answers[Math.min(poll++, answers.length - 1)]!(anchorWallMs, clockNow()),
    close: async () => {},
  };
}

async function changesOf(answers: ((anchorWallMs: number, now: number) => Observation)[]): Promise<SignalEvent[]> {
  const clock = createClock();
  const timeline = new Timeline();
  const second = new Promise<void>((resolve) => timeline.subscribe(() => { if (timeline.of('signal').length === 2) resolve(); }));
  const schedule = pollSignal(scriptedSignal(answers, clock.anchorWallMs, clock.now), { clock, timeline });
  await second;
  await schedule.stop();
  return timeline.of('signal');
}

describe('pollSignal and the source clock', () => {
  it('does not believe a source clock older than the poll that still saw the old state, and says why', async () => {
    const [, change] = await changesOf([
      () => ({ state: 'ready' }),
      () => ({ state: 'ready' }),
      (anchor) => ({ state: 'switched', since: new Date(anchor - 4_200) }), // kept over a reset
    ]);
    expect(change!.state).to.equal('switched');
    expect(change!.source).to.equal('observed');
    expect(change!.at.lower).to.be.at.least(0);
    expect(change!.at.upper).to.equal(change!.observedT);
    expect(String(change!.detail?.sourceClockRejected)).to.match(/^the source says .*, before the poll at .* that still saw ready$/);
  });

  it('a stale sinceField: the polls\' bounds hold the true change, and the result warns', async () => {
    let trueChangeT = Number.NaN;
    const [, change] = await changesOf([
      () => ({ state: 'ready' }),
      () => ({ state: 'ready' }),
      (anchor, now) => {
        trueChangeT = now; // the endpoint switches just before this answer, but reports its old switchedAt
        return { state: 'switched', since: new Date(anchor - 4_200) };
      },
    ]);
    expect(trueChangeT).to.be.within(change!.at.lower, change!.at.upper);
    const warnings = sourceClockWarnings(Timeline.of([change!]));
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.match(/^signal status: the change to switched is placed between the polls at \S+ and \S+, not by the source's clock: the source says /);
  });

  it('believes a source clock that falls after the last poll that saw the old state', async () => {
    const [first, change] = await changesOf([
      () => ({ state: 'ready' }),
      (anchor, now) => ({ state: 'switched', since: new Date(anchor + now - 1) }),
    ]);
    expect(change!.source).to.equal('source-clock');
    expect(change!.at.t).to.be.above(first!.t);
    expect(change!.detail?.sourceClockRejected).to.equal(undefined);
  });
});
