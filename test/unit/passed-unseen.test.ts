import { expect } from 'chai';
import { createClock } from '../../src/core/clock.js';
import { milestoneGaps } from '../../src/core/milestone-gaps.js';
import { MilestoneTracker } from '../../src/core/milestone-tracker.js';
import { deriveMilestones, type MilestoneRules } from '../../src/core/milestones.js';
import { Timeline } from '../../src/core/timeline.js';
import { pollSignal } from '../../src/runner/schedule.js';
import type { Signal } from '../../src/signals/signal.js';
import { injected } from './timeline-builders.js';

/**
 * A controller's state that lasts less than one poll (detected → decided → recovered, `decided`
 * never seen): with `later: [recovered]` the milestone is "passed unseen", bounded by the polls
 * on either side, and the result says so.
 */
describe('a signal state passed unseen between two polls', () => {
  const rules = (later?: string[]): MilestoneRules => ({
    userFacing: [],
    detect: { signal: 'controller', becomes: 'detected' },
    decide: { signal: 'controller', becomes: 'decided', ...(later ? { later } : {}) },
  });

  /** Polls a controller every 20 ms that goes detected → decided (for 2 ms) → recovered; returns the timeline and when `decided` really was. */
  async function pollController(): Promise<{ timeline: Timeline; decidedAt: number }> {
    const clock = createClock();
    const timeline = new Timeline();
    timeline.append(injected(clock.now()));
    let polls = 0;
    let decidedAt = Number.NaN;
    let lastPollAt = 0;
    const controller: Signal = {
      name: 'controller', intervalMs: 20,
      observe: async () => {
        const now = clock.now();
        polls++;
        if (polls === 3) decidedAt = (lastPollAt + now) / 2; // decided, and over, between this poll and the one before
        lastPollAt = now;
        return { state: polls < 2 ? 'ok' : polls < 3 ? 'detected' : 'recovered' };
      },
      close: async () => {},
    };
    const recovered = new Promise<void>((resolve) => timeline.subscribe((e) => { if (e.kind === 'signal' && e.state === 'recovered') resolve(); }));
    const schedule = pollSignal(controller, { clock, timeline });
    await recovered;
    await schedule.stop();
    return { timeline, decidedAt };
  }

  it('places the unseen state between the polls around it, and says so in the warnings', async () => {
    const { timeline, decidedAt } = await pollController();
    const m = deriveMilestones(timeline.events, rules(['recovered']));
    expect(m.decide, 'passed unseen, still measured').to.not.equal(null);
    expect(decidedAt).to.be.within(m.decide!.lower, m.decide!.upper);
    expect(m.decide!.lower, 'after the poll that saw detected was sent').to.equal(m.detect!.t);
    const warnings = milestoneGaps(timeline, m, rules(['recovered']));
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.match(/^T_decide: signal controller passed decided unseen \(it went detected → recovered\): placed between \S+ and \S+, the polls on either side$/);
  });

  it('without `later`, the milestone stays empty and the warning says the state was never seen', async () => {
    const { timeline } = await pollController();
    const m = deriveMilestones(timeline.events, rules());
    expect(m.decide).to.equal(null);
    expect(milestoneGaps(timeline, m, rules())[0]).to.match(/^no T_decide: signal controller did not become decided after the fault \(states seen: ok → detected → recovered\)/);
  });

  it('the tracker, fed event by event, agrees with deriveMilestones', async () => {
    const { timeline } = await pollController();
    const fresh = new Timeline();
    const tracker = new MilestoneTracker(rules(['recovered']), fresh.samples);
    fresh.subscribe((e) => tracker.add(e));
    for (const event of timeline.events) fresh.append(event);
    expect(tracker.current()).to.deep.equal(deriveMilestones(timeline.events, rules(['recovered'])));
  });
});
