import { formatDuration } from '../core/duration.js';
import type { SampleEvent, TimelineEvent } from '../core/timeline.js';

const BARS = '▁▂▃▄▅▆▇█';

/**
 * One line per probe for the CLI summary: the drill cut into `width` slices, each drawn as a bar
 * as tall as its slowest good sample, or `×` when any sample in it failed.
 *   app             ▁▁▂▁▁▁▁××××××××▁▁▁▁▁▁▁▁▂▁  30 ok, 15 failed, max 1.50s
 */
export function probeSparklines(events: readonly TimelineEvent[], width = 48): string[] {
  const samples = events.filter((e): e is SampleEvent => e.kind === 'sample');
  if (samples.length === 0) return [];
  const start = Math.min(...samples.map((s) => s.t));
  const span = Math.max(1, Math.max(...samples.map((s) => s.t)) - start);
  const probes = [...new Set(samples.map((s) => s.probe))];
  const nameWidth = Math.max(...probes.map((p) => p.length));
  return probes.map((probe) => {
    const own = samples.filter((s) => s.probe === probe);
    const slowest = Math.max(1, ...own.filter((s) => s.ok).map((s) => s.latencyMs));
    const slices: (SampleEvent[])[] = Array.from({ length: width }, () => []);
    for (const s of own) slices[Math.min(width - 1, Math.floor(((s.t - start) / span) * width))]!.push(s);
    const line = slices.map((slice) => {
      if (slice.length === 0) return ' ';
      if (slice.some((s) => !s.ok)) return '×';
      const worst = Math.max(...slice.map((s) => s.latencyMs));
      return BARS[Math.min(BARS.length - 1, Math.floor((worst / slowest) * (BARS.length - 1)))]!;
    }).join('');
    const failed = own.filter((s) => !s.ok).length;
    return `${probe.padEnd(nameWidth)}  ${line}  ${own.length - failed} ok, ${failed} failed, slowest ok ${formatDuration(slowest)}`;
  });
}
