import { formatDuration } from './duration.js';
import type { RecordedTimeline, SignalEvent } from './timeline.js';

/**
 * A signal change whose source clock was not believed (it contradicted the polls: a timestamp
 * kept over a reset) was placed between the polls instead; the result says so, since its
 * milestone's bounds are then the polls', not the source's.
 */
export function sourceClockWarnings(timeline: RecordedTimeline): string[] {
  return timeline.events
    .filter((e): e is SignalEvent => e.kind === 'signal' && typeof e.detail?.sourceClockRejected === 'string')
    .map((e) => `signal ${e.signal}: the change to ${e.state} is placed between the polls at ${formatDuration(e.at.lower)} and ${formatDuration(e.at.upper)}, not by the source's clock: ${String(e.detail!.sourceClockRejected)}`);
}
