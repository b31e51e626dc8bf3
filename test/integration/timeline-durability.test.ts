import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SAMPLE_FLUSH_MS, TIMELINE_FILE } from '../../src/runner/timeline-file.js';
import { PROJECT_DIR } from '../support/cli-process.js';
import { createTempDir } from '../support/temp-dir.js';

/** What `timeline.ndjson` promises a drill killed with SIGKILL (see TimelineFile). */
describe('timeline.ndjson after SIGKILL', function () {
  this.timeout(60_000);

  it('holds every event but the samples of the last flush window, and every sample before the last phase event', async () => {
    const dir = createTempDir('durability');
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_DIR, 'test/support/timeline-writer-child.ts'), dir.path], { cwd: PROJECT_DIR, stdio: ['ignore', 'pipe', 'inherit'] });
      const announced = await new Promise<{ k: number; t: number }>((resolve) => {
        let text = '';
        child.stdout.on('data', (chunk: Buffer) => {
          text += chunk.toString();
          const lines = text.split('\n');
          const last = lines.at(-2);
          const m = last ? /^appended (\d+) ([\d.]+)$/.exec(last) : null;
          if (m && Number(m[1]) >= 700) {
            child.kill('SIGKILL');
            resolve({ k: Number(m[1]), t: Number(m[2]) });
          }
        });
      });
      await new Promise((resolve) => child.once('exit', resolve));
      const written = readFileSync(join(dir.path, TIMELINE_FILE), 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as { kind: string; t: number; latencyMs?: number; detail?: string });
      const ks = written.map((e) => (e.kind === 'sample' ? e.latencyMs! : Number(/k=(\d+)/.exec(e.detail!)![1])));
      // A prefix, in order: nothing is lost in the middle, and phase events never overtake samples.
      expect(ks).to.deep.equal(ks.map((_, i) => i));
      const phases = written.filter((e) => e.kind === 'phase').length;
      expect(phases).to.be.at.least(6);
      expect(ks.length).to.be.at.least(phases * 100);
      // What is missing was appended after the last write, within one flush window by the writer's clock.
      const lastWritten = written.at(-1)!;
      expect(announced.k - ks.length + 1).to.be.at.least(0);
      expect(announced.t - lastWritten.t).to.be.at.most(SAMPLE_FLUSH_MS + 50);
    } finally {
      dir.remove();
    }
  });
});
