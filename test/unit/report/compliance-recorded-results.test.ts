import { expect } from 'chai';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildComplianceReport } from '../../../src/report/compliance.js';
import { recordedResultsOf } from '../../../src/report/drill-history.js';
import { loadFrameworks } from '../../../src/report/frameworks.js';
import { verifyHistory } from '../../../src/report/verify.js';
import { PROJECT_DIR } from '../../support/cli-process.js';
import { plantHistory } from '../../support/drill-history.js';
import { createTempDir, type TempDir } from '../../support/temp-dir.js';

describe('compliance from a shared history read on another machine', () => {
  let dir: TempDir;
  beforeEach(() => { dir = createTempDir('compliance-recorded'); });
  afterEach(() => dir.remove());

  it('takes a drill\'s result from its signed record when its result.json is not on this machine', async () => {
    const { history, runDirs } = await plantHistory(dir.path, [2.6, 2.7]);
    rmSync(runDirs[1]!, { recursive: true });
    const chain = await history.chain();
    const options = {
      from: new Date('2000-01-01'), to: new Date('2100-01-01'), tool: 'firedrill test',
      frameworks: loadFrameworks(join(PROJECT_DIR, 'reports', 'frameworks'), ['iso27001']),
      integrity: verifyHistory(chain, { files: 'present' }),
    };
    const withoutRecorded = buildComplianceReport(await history.list(), options);
    expect(withoutRecorded.drills[1]!.deviations).to.deep.equal([`result.json missing: ${join(runDirs[1]!, 'result.json')}`]);
    const report = buildComplianceReport(await history.list(), { ...options, recordedResults: recordedResultsOf(chain) });
    const day2 = report.drills[1]!;
    expect(day2.deviations).to.deep.equal([]);
    expect(day2.objectives.find((o) => o.target === 'rto')!.measured).to.match(/^2\.70s /);
    expect(report.frameworks[0]!.controls.find((c) => c.id === 'A.5.30')!.drills).to.deep.equal(['lab-demo-day1', 'lab-demo-day2']);
  });
});
