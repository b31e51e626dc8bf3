import { expect } from 'chai';
import { EventEmitter, once } from 'node:events';
import { PassThrough } from 'node:stream';
import { gameDaySettingsFrom } from '../../../src/cli/game-day-session.js';
import { approveOnKey } from '../../../src/cli/key-approvals.js';
import { UsageError } from '../../../src/cli/usage-error.js';
import { createClock } from '../../../src/core/clock.js';
import type { TimelineEvent } from '../../../src/core/timeline.js';
import { GameDay } from '../../../src/gameday/game-day.js';
import type { ArtifactsEvent, DrillInfo } from '../../../src/runner/plugin.js';
import type { DrillResult } from '../../../src/runner/result.js';
import type { GateSpec } from '../../../src/scenario/schema.js';

const GATE: GateSpec = { name: 'failover', before: 'observe', timeout: 60_000, ci: 'fail', runbook: [] };

/** A drill as the game-day plugin sees it: a real clock, and a timeline that is the events it records. */
function drillOf(gameDay: GameDay): { drill: DrillInfo; recorded: TimelineEvent[] } {
  const recorded: TimelineEvent[] = [];
  const drill = {
    drillId: 'd1', outDir: '/nowhere', clock: createClock(),
    record(event: TimelineEvent) {
      recorded.push(event);
      gameDay.onEvent({ drill, event });
    },
  } as unknown as DrillInfo;
  drill.record({ kind: 'phase', t: drill.clock.now(), phase: 'observe', state: 'start' });
  return { drill, recorded };
}

/** The `artifacts` call the runner makes once the drill is over. */
function artifactsOf(drill: DrillInfo): ArtifactsEvent & { result: DrillResult } {
  return { drill, result: { outcome: 'passed' } as DrillResult, timelineFile: '', timeline: undefined as never, addArtifact: () => { throw new Error('not here'); } };
}

describe('game day (the plugin, without a drill around it)', () => {
  it('a key typed at the terminal view approves the gate that waits longest, as the person at it', async () => {
    const gameDay = new GameDay({ gates: [GATE], people: [], ci: false });
    const { drill, recorded } = drillOf(gameDay);
    const keys = new PassThrough();
    const logged = new EventEmitter();
    const interrupts = new EventEmitter();
    const release = approveOnKey({ input: keys, controls: gameDay, by: 'Ines', log: (l) => logged.emit('line', l), onInterrupt: () => interrupts.emit('key') });
    try {
      const said = once(logged, 'line');
      keys.write('a');
      expect(await said, 'before anything waits').to.deep.equal(['no gate is waiting for approval']);

      const held = gameDay.beforePhase({ drill, phase: 'observe', signal: new AbortController().signal });
      expect(gameDay.pending().map((g) => g.gate)).to.deep.equal(['failover']);
      const interrupted = once(interrupts, 'key');
      keys.write('x\x03');
      await interrupted; // Ctrl-C, which raw mode delivers as a byte, still interrupts
      expect(gameDay.pending().map((g) => g.gate), 'another key lets nothing through').to.deep.equal(['failover']);
      keys.write('a');
      await held;
      expect(recorded.filter((e) => e.kind === 'gate').map((e) => e.kind === 'gate' && { state: e.state, by: e.by, via: e.via })).to.deep.equal([
        { state: 'waiting', by: undefined, via: undefined }, { state: 'approved', by: 'Ines', via: 'cli' },
      ]);
    } finally {
      release();
    }
  });

  it('after the drill, holds the result for lessons, corrective actions and sign-offs until a sign-off closes the review', async () => {
    const gameDay = new GameDay({ gates: [], people: [{ name: 'Ines', role: 'commander' }], ci: false, reviewTimeoutMs: 60_000 });
    const { drill, recorded } = drillOf(gameDay);
    gameDay.note({ message: 'users see errors', author: 'Olu', noteKind: 'observation' });
    expect(() => gameDay.signOff({ name: 'Ines', role: 'incident commander' })).to.throw('the drill is still running: a sign-off goes into its review, which opens when the drill is over (firedrill run --review)');

    const event = artifactsOf(drill);
    const written = gameDay.artifacts(event);
    expect(gameDay.review()).to.deep.include({ open: true, outcome: 'passed' });
    gameDay.lesson({ message: 'the alarm fires 40 s late', author: 'Olu' });
    gameDay.note({ message: 'lower the alarm period', author: 'Sam', noteKind: 'action', owner: 'Olu', due: '2027-01-15' });
    gameDay.signOff({ name: 'Sam', role: 'scribe' });
    expect(gameDay.review()!.open, 'a sign-off without close leaves it open').to.equal(true);
    gameDay.signOff({ name: 'Ines', role: 'incident commander', close: true });
    await written;

    const review = event.result.gameDay!.review!;
    expect(review.closedBy).to.equal('sign-off');
    expect(review.lessons.map(({ message, author }) => ({ message, author }))).to.deep.equal([{ message: 'the alarm fires 40 s late', author: 'Olu' }]);
    expect(review.signOff.map(({ name, role }) => ({ name, role }))).to.deep.equal([{ name: 'Sam', role: 'scribe' }, { name: 'Ines', role: 'incident commander' }]);
    expect(Date.parse(review.signOff[1]!.wall)).to.be.at.least(Date.parse(review.openedAt)).and.at.most(Date.parse(review.closedAt));
    expect(event.result.gameDay!.notes.map((n) => `${n.author}: ${n.message}${n.owner ? ` (${n.owner}, ${n.due})` : ''}`)).to.deep.equal([
      'Olu: users see errors', 'Sam: lower the alarm period (Olu, 2027-01-15)',
    ]);
    expect(recorded.map((e) => e.kind), 'the timeline is closed in the review: only the note made during the drill is on it').to.deep.equal(['phase', 'note']);
    expect(() => gameDay.lesson({ message: 'late', author: 'Olu' })).to.throw('the review is closed: a lesson can no longer go into the record');
  });

  it('a review nobody closes ends at its timeout with what it has; Ctrl-C ends it at once', async () => {
    const timedOut = new GameDay({ gates: [], people: [], ci: false, reviewTimeoutMs: 30 });
    const ended = artifactsOf(drillOf(timedOut).drill);
    await timedOut.artifacts(ended);
    expect(ended.result.gameDay!.review).to.deep.include({ closedBy: 'timeout', lessons: [], signOff: [] });

    const interrupt = new AbortController();
    const interrupted = new GameDay({ gates: [], people: [], ci: false, reviewTimeoutMs: 60_000, interrupt: interrupt.signal });
    const stopped = artifactsOf(drillOf(interrupted).drill);
    const written = interrupted.artifacts(stopped);
    interrupted.lesson({ message: 'nobody had the runbook', author: 'Oda' });
    interrupt.abort('SIGINT received');
    await written;
    expect(stopped.result.gameDay!.review!.closedBy).to.equal('interrupted');
    expect(stopped.result.gameDay!.review!.lessons.map((l) => l.message)).to.deep.equal(['nobody had the runbook']);
  });
});

describe('firedrill run --review (the option)', () => {
  it('takes a duration, and says what it expected otherwise; CI mode holds no review', () => {
    expect(gameDaySettingsFrom({ review: '30m' }, {}).reviewTimeoutMs).to.equal(1_800_000);
    expect(() => gameDaySettingsFrom({ review: 'later' }, {})).to.throw(UsageError, '--review: expected a duration like "500ms", "90s", "5m", "1h30m" or "PT5M" (how long the review may stay open), got "later"');
    expect(() => gameDaySettingsFrom({ review: '30m' }, { CI: 'true' })).to.throw(UsageError, '--review: CI mode never waits for a person, so it holds no review after the drill');
  });
});
