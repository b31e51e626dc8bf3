import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { canResetPeakRss } from '../../bench/peak-rss.js';
import { MilestoneTracker } from '../../src/core/milestone-tracker.js';
import { Timeline } from '../../src/core/timeline.js';
import { PROJECT_DIR } from '../support/cli-process.js';
import { createTempDir } from '../support/temp-dir.js';

/**
 * A bound on what a drill's end (result, artefacts, plugins) adds to resident memory, whatever the
 * drill's length: 55–76 MB measured, most of it the chart's modules (Plot, linkedom: ~37 MB, loaded
 * only to draw) and the chart (~20 MB). Reading the hour's timeline whole added ~700 MB, drawing
 * its marks through Plot ~115 MB, reading it back into columns over 75 MB.
 */
const END_OF_DRILL_MB = 96;

/**
 * A one-hour drill at 100 probes × 10 Hz is 3.6 million samples. They are kept as columns grown a
 * chunk at a time, so the bound is about 19 bytes a sample plus one partly filled chunk per probe:
 * under 100 MB, where objects would take well over a gigabyte.
 */
describe('memory of a one-hour drill at 100 probes × 10 Hz', function () {
  this.timeout(120_000);

  it('3.6 million samples through the timeline and the milestone tracker stay under 100 MB of heap', () => {
    globalThis.gc?.();
    const before = process.memoryUsage();
    const timeline = new Timeline();
    const tracker = new MilestoneTracker({ userFacing: ['p0'], recovered: { probe: 'p0', region: 'us-west-2', consecutive: 5 } }, timeline.samples);
    timeline.subscribe((e) => tracker.add(e));
    timeline.append({ kind: 'fault', t: 600_000, fault: 'outage', faultKind: 'fake', action: 'injected', at: { t: 600_000, lower: 600_000, upper: 600_000 } });
    for (let k = 0; k < 36_000; k++) {
      const t = k * 100;
      const down = t >= 600_000 && t < 2_400_000;
      for (let p = 0; p < 100; p++) {
        timeline.append({ kind: 'sample', t: t + p / 100, plannedT: t, probe: `p${p}`, ok: !down, latencyMs: 2, ...(down ? {} : { region: t < 600_000 ? 'us-east-1' : 'us-west-2' }) });
      }
    }
    const m = tracker.current();
    const after = process.memoryUsage();
    const grownMb = (after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers) / 1e6;
    expect(timeline.samples.total).to.equal(3_600_000);
    expect(m.impact?.t).to.equal(600_000);
    expect(m.recovered?.t).to.equal(2_400_000);
    expect(grownMb, `grew ${grownMb.toFixed(0)} MB`).to.be.below(100);
    console.log(`      3.6 million samples: heap and buffers grew ${grownMb.toFixed(0)} MB`);
  });

  it(`a drill's end adds under ${END_OF_DRILL_MB} MB of resident memory to an hour of samples (a ~700 MB timeline.ndjson)`, async function () {
    if (!canResetPeakRss) this.skip(); // the end's own peak needs the high-water mark reset (Linux)
    const dir = createTempDir('long-drill-end');
    try {
      const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', join(PROJECT_DIR, 'test/support/long-drill-end-child.ts'), dir.path], { cwd: PROJECT_DIR, stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => { out += chunk.toString(); });
      const code = await new Promise((resolve) => child.once('close', resolve));
      expect(code).to.equal(0);
      const { samples, timelineBytes, rssAtObserveEnd, peakAfter } = JSON.parse(out.trim().split('\n').at(-1)!) as { samples: number; timelineBytes: number; rssAtObserveEnd: number; peakAfter: number };
      const addedMb = (peakAfter - rssAtObserveEnd) / 2 ** 20;
      expect(samples).to.be.at.least(3_600_000);
      expect(timelineBytes).to.be.above(500e6);
      expect(addedMb, `the end added ${addedMb.toFixed(0)} MB`).to.be.below(END_OF_DRILL_MB);
      console.log(`      the end of an hour-long drill (${(timelineBytes / 1e6).toFixed(0)} MB timeline): resident memory grew ${addedMb.toFixed(0)} MB over ${(rssAtObserveEnd / 2 ** 20).toFixed(0)} MB`);
    } finally {
      dir.remove();
    }
  });
});
