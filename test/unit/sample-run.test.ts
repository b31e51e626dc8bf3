import { expect } from 'chai';
import { createClock } from '../../src/core/clock.js';
import { SampleRun } from '../../src/probes/probe.js';

describe('a sample run (the context one sample gets)', () => {
  const clock = createClock();

  it('gives up at its timeout, once, with a TimeoutError, to listeners and to the signal alike', async () => {
    const run = new SampleRun(clock, '.', 20);
    const signal = run.signal;
    const heard = await new Promise<Error[]>((resolve) => {
      const reasons: Error[] = [];
      run.onGiveUp((reason) => { reasons.push(reason); resolve(reasons); });
    });
    expect(heard.map((r) => r.name)).to.deep.equal(['TimeoutError']);
    expect(heard[0]!.message).to.equal('timeout after 20ms');
    expect(run.timedOut).to.equal(true);
    expect(signal.aborted).to.equal(true);
    expect(signal.reason).to.equal(heard[0]);
    run.giveUp(new Error('later'));
    const late: Error[] = [];
    run.onGiveUp((reason) => late.push(reason));
    expect(late, 'a listener after the fact hears the first reason at once').to.deep.equal([heard[0]]);
  });

  it('tells a stop apart from a timeout, and a settled run tells no one', () => {
    const stopped = new SampleRun(clock, '.', 60_000);
    const reasons: string[] = [];
    stopped.onGiveUp((reason) => reasons.push(reason.name));
    stopped.giveUp(new DOMException('the drill stopped', 'AbortError'));
    expect(reasons).to.deep.equal(['AbortError']);
    expect(stopped.timedOut).to.equal(false);

    const answered = new SampleRun(clock, '.', 60_000);
    const told: string[] = [];
    answered.onGiveUp((reason) => told.push(reason.name));
    answered.settle();
    answered.giveUp(new DOMException('the drill stopped', 'AbortError'));
    expect(told).to.deep.equal([]);
  });

  it('makes no AbortController unless a probe asks for the signal', () => {
    const original = globalThis.AbortController;
    let made = 0;
    globalThis.AbortController = class extends original { constructor() { super(); made++; } };
    try {
      const run = new SampleRun(clock, '.', 60_000);
      run.onGiveUp(() => {});
      run.settle();
      expect(made).to.equal(0);
      const asked = new SampleRun(clock, '.', 60_000);
      expect(asked.signal.aborted).to.equal(false);
      asked.settle();
      expect(made).to.equal(1);
    } finally {
      globalThis.AbortController = original;
    }
  });
});
