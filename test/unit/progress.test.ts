import { expect } from 'chai';
import { createProgress } from '../../src/cli/progress.js';
import type { TimelineEvent } from '../../src/core/timeline.js';
import { sample } from './timeline-builders.js';

/** The CI log's lines, in the order the drill learned of each event: stamps never go back. */
describe('terminal progress (not a TTY)', () => {
  it('stamps each line with when the event was known, and says when the event itself was', () => {
    const out: string[] = [];
    const progress = createProgress((text) => out.push(text), false);
    const events: TimelineEvent[] = [
      { kind: 'phase', t: 1_000, phase: 'observe', state: 'start' },
      sample('app', 900, true, { latencyMs: 20 }),
      // The poll sent at 1.21s came back at 1.25s; a failed sample sent at 1.05s answered (timed out) at 1.55s, after it.
      { kind: 'signal', t: 1_210, signal: 'alarm', state: 'ALARM', previous: 'OK', at: { t: 1_210, lower: 1_000, upper: 1_250 }, observedT: 1_250, source: 'observed' },
      sample('app', 1_050, false, { latencyMs: 500, error: 'timeout after 500ms' }),
      { kind: 'signal', t: 1_600, signal: 'decision', state: 'ALARM', previous: 'OK', at: { t: 1_400, lower: 1_400, upper: 1_400 }, observedT: 1_620, source: 'source-clock' },
    ];
    for (const e of events) progress.onEvent(e);
    const lines = out.join('').trimEnd().split('\n');
    expect(lines).to.deep.equal([
      '  1.00s  observe started',
      '  1.00s  probe app: ok (sent at 900ms)',
      '  1.25s  signal alarm: OK -> ALARM (between 1.00s and 1.25s)',
      '  1.55s  probe app: FAILING — timeout after 500ms (sent at 1.05s)',
      '  1.62s  signal decision: OK -> ALARM (at 1.40s by its own clock)',
    ]);
  });
});
