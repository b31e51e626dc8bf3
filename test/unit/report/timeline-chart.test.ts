import { expect } from 'chai';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeArtifact, type Artifact } from '../../../src/runner/result.js';
import type { ArtifactsEvent } from '../../../src/runner/plugin.js';
import { probeSparklines } from '../../../src/report/sparkline.js';
import { chartPlugin, CHART_FILE } from '../../../src/report/chart-plugin.js';
import { renderTimelineChart } from '../../../src/report/timeline-chart.js';
import { Timeline } from '../../../src/core/timeline.js';
import { drillFixture } from '../../support/drill-fixtures.js';
import { createTempDir } from '../../support/temp-dir.js';

/** Every piece of text the SVG draws, in document order. */
function textsOf(svg: string): string[] {
  const texts: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === '#text') texts.push(String(value));
      else walk(value);
    }
  };
  walk(new XMLParser({ preserveOrder: true, ignoreAttributes: true }).parse(svg));
  return texts;
}

describe('the timeline chart (SVG, no browser)', () => {
  const breached = drillFixture('breached');
  const svg = renderTimelineChart(breached.result, breached);
  const texts = textsOf(svg);

  it('is a well-formed standalone SVG with no script and nothing fetched', () => {
    expect(XMLValidator.validate(svg)).to.equal(true);
    expect(svg).to.match(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg).to.not.match(/<script|<foreignObject|href="http/i);
  });

  it('has a latency lane per probe with its ok and failed counts from the timeline', () => {
    const counts = (probe: string) => {
      const own = readFileSync(join(breached.dir, 'timeline.ndjson'), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as { kind: string; probe?: string; ok?: boolean }).filter((e) => e.kind === 'sample' && e.probe === probe);
      return `${own.filter((s) => s.ok).length} ok, ${own.filter((s) => !s.ok).length} failed`;
    };
    expect(texts).to.include.members(['↑ app: latency (ms)', '↑ recovery-region: latency (ms)', counts('app'), counts('recovery-region')]);
    expect(counts('app')).to.equal('30 ok, 15 failed');
  });

  it('has a lane per signal with its states, and the milestones with their uncertainty', () => {
    expect(texts).to.include.members(['primary-health-alarm', 'decision-alarm', 'primary-record', 'app-dns', 'ALARM', '127.0.0.20']);
    expect(texts).to.include.members(['T_fault (exact)', 'T_detect (exact)', 'T_decide (exact)', 'T_recovered ±112ms']);
  });

  it('shades each time target’s budget and shows the breach', () => {
    expect(texts).to.include.members(['rto <= 2.00s', 'detection <= 5.00s', '3.16s ±112ms FAIL', '800ms PASS']);
  });

  it('a drill aborted before injecting draws its probes and phases, with no milestones', () => {
    const aborted = drillFixture('aborted');
    const abortedTexts = textsOf(renderTimelineChart(aborted.result, aborted));
    expect(abortedTexts).to.include('↑ app: latency (ms)');
    expect(abortedTexts.some((t) => t.startsWith('T_'))).to.equal(false);
  });

  it('draws a long drill from its columns with a bounded number of marks, failures kept, counts whole', () => {
    const timeline = new Timeline();
    const hourMs = 3_600_000;
    for (let t = 0; t < hourMs; t += 100) timeline.append({ kind: 'sample', t, plannedT: t, probe: 'app', ok: t < 1_800_000 || t > 1_800_500, latencyMs: t === 900_000 ? 900 : 3, region: 'us-east-1' });
    const result = { ...breached.result, phases: [{ phase: 'observe' as const, start: 0, end: hourMs, outcome: 'ok' as const }], milestones: { fault: null, impact: null, detect: null, decide: null, recovered: null } };
    const long = renderTimelineChart(result, timeline);
    expect(textsOf(long)).to.include('35994 ok, 6 failed');
    expect(textsOf(long).some((t) => t.includes('per 600th of the drill, its slowest ok and slowest failed sample; the counts are of every sample'))).to.equal(true);
    expect((long.match(/<path|<circle/g) ?? []).length).to.be.below(2_000); // 36,000 samples, at most two marks a slice
    expect(textsOf(long)).to.include('500'); // the one 900 ms sample among 3 ms ones was drawn: the latency axis reaches it
  });

  it('chartPlugin writes timeline.svg beside result.json as an artifact', async () => {
    const dir = createTempDir('chart');
    try {
      const added: Artifact[] = [];
      const event = {
        result: breached.result,
        timelineFile: join(breached.dir, 'timeline.ndjson'),
        timeline: breached,
        addArtifact: (path: string, content: string | Buffer) => { const a = writeArtifact(dir.path, path, content); added.push(a); return a; },
      } as unknown as ArtifactsEvent;
      await chartPlugin().artifacts!(event);
      expect(added.map((a) => a.path)).to.deep.equal([CHART_FILE]);
      expect(existsSync(join(dir.path, CHART_FILE))).to.equal(true);
      expect(textsOf(readFileSync(join(dir.path, CHART_FILE), 'utf8'))).to.deep.equal(texts);
    } finally {
      dir.remove();
    }
  });
});

describe('probe sparklines for the CLI summary', () => {
  it('draws one line per probe, failures as ×, with the counts', () => {
    const lines = probeSparklines(drillFixture('breached'), 40);
    expect(lines).to.have.length(2);
    const app = lines.find((l) => l.startsWith('app '))!;
    expect(app).to.match(/^app {14}[ ▁-█×]{40} {2}30 ok, 15 failed, slowest ok \S+$/);
    const cells = app.slice(17, 57);
    expect(cells).to.match(/^[^×]+×+[^×]+$/, 'one run of failures between good stretches');
    expect(lines.find((l) => l.startsWith('recovery-region'))).to.not.include('×');
  });
});
