import type { RecordedTimeline } from '../core/timeline.js';
import type { DrillPlugin } from '../runner/plugin.js';
import type { DrillResult } from '../runner/result.js';

/** The drill's timeline chart, beside `result.json`. */
export const CHART_FILE = 'timeline.svg';

/**
 * The chart as SVG (see `timeline-chart.ts`). Plot and linkedom are loaded only to draw it: held
 * from the start, they were ~40 MB of a drill's resident memory and ~8 MB of the heap that V8
 * lets grow a few times over between collections, all through an hour-long observe phase.
 */
export async function drawTimelineChart(result: DrillResult, timeline: RecordedTimeline): Promise<string> {
  const { renderTimelineChart } = await import('./timeline-chart.js');
  return renderTimelineChart(result, timeline);
}

/** Writes `timeline.svg` beside `result.json` and lists it there. */
export function chartPlugin(): DrillPlugin {
  return {
    name: 'timeline-chart',
    async artifacts({ result, timeline, addArtifact }) {
      addArtifact(CHART_FILE, await drawTimelineChart(result, timeline));
    },
  };
}
