import { join } from 'node:path';
import { readDrillOutput, type DrillOutput } from '../../src/report/drill-output.js';
import { PROJECT_DIR } from './cli-process.js';

/** The output folders of three real lab drills (test/fixtures/drills/README.md). */
export const DRILL_FIXTURES = join(PROJECT_DIR, 'test', 'fixtures', 'drills');
export type DrillFixture = 'passed' | 'breached' | 'aborted';

export function drillFixture(name: DrillFixture): DrillOutput {
  return readDrillOutput(join(DRILL_FIXTURES, name));
}
