import { formatDuration } from '../core/duration.js';
import type { RecordedTimeline } from '../core/timeline.js';
import type { DrillPlugin } from '../runner/plugin.js';

const BARS = '▁▂▃▄▅▆▇█';

/**
 * One line per probe for the CLI summary: the drill cut into `width` slices, each drawn as a bar
 * as tall as its slowest good sample, or `×` when any sample in it failed.
 *   app             ▁▁▂▁▁▁▁××××××××▁▁▁▁▁▁▁▁▂▁  30 ok, 15 failed, max 1.50s
 * Reads the samples' columns, so a long drill costs no objects.
 */
export function probeSparklines({ samples }: RecordedTimeline, width = 48): string[] {
  const probes = samples.probes().filter((p) => samples.of(p)!.length > 0);
  if (probes.length === 0) return [];
  const start = Math.min(...probes.map((p) => samples.of(p)!.tAt(0)));
  const end = Math.max(...probes.map((p) => { const own = samples.of(p)!; return own.tAt(own.length - 1); }));
  const span = Math.max(1, end - start);
  const nameWidth = Math.max(...probes.map((p) => p.length));
  return probes.map((probe) => {
    const own = samples.of(probe)!;
    const worst = new Float64Array(width);
    const failedIn = new Uint8Array(width);
    const seen = new Uint8Array(width);
    let slowest = 1;
    for (let i = 0; i < own.length; i++) {
      const slice = Math.min(width - 1, Math.floor(((own.tAt(i) - start) / span) * width));
      const latencyMs = own.latencyAt(i);
      seen[slice] = 1;
      if (!own.okAt(i)) failedIn[slice] = 1;
      else {
        worst[slice] = Math.max(worst[slice]!, latencyMs);
        slowest = Math.max(slowest, latencyMs);
      }
    }
    let line = '';
    for (let k = 0; k < width; k++) line += !seen[k] ? ' ' : failedIn[k] ? '×' : BARS[Math.min(BARS.length - 1, Math.floor((worst[k]! / slowest) * (BARS.length - 1)))]!;
    return `${probe.padEnd(nameWidth)}  ${line}  ${own.length - own.failed} ok, ${own.failed} failed, slowest ok ${formatDuration(slowest)}`;
  });
}

/** Keeps the sparklines of the drill it runs in, for the caller to print after the summary. */
export function sparklinePlugin(): DrillPlugin & { lines: string[] } {
  const plugin = {
    name: 'sparklines',
    lines: [] as string[],
    artifacts({ timeline }: { timeline: RecordedTimeline }) {
      plugin.lines = probeSparklines(timeline);
    },
  };
  return plugin;
}
