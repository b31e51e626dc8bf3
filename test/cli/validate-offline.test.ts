import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_DIR, runCli } from '../support/cli-process.js';
import { createTempDir, type TempDir } from '../support/temp-dir.js';

/** A pre-merge CI job validates with nothing running: the lab's scenarios are checked with stand-in values. */
describe('firedrill validate with the lab not running (black box)', function () {
  this.timeout(60_000);
  let state: TempDir;
  before(() => { state = createTempDir('validate-offline'); });
  after(() => state.remove());

  it('accepts a valid lab scenario and says it used stand-in values', async () => {
    const result = await runCli(['validate', join(PROJECT_DIR, 'drills', 'warm-standby.yaml'), '--state-dir', state.path]);
    expect(result.code, result.output).to.equal(0);
    expect(result.stdout).to.include('valid scenario "warm-standby" for environment "lab" (not running: checked with stand-in values for its variables)');
  });

  it('names the file and the field of a broken one (exit 2), not the lab being down', async () => {
    const broken = state.write('broken.yaml', readFileSync(join(PROJECT_DIR, 'drills', 'lab-demo.yaml'), 'utf8').replace('observe: { timeout: 30s', 'observe: { timeout: fast'));
    const result = await runCli(['validate', broken, '--state-dir', state.path]);
    expect(result.code).to.equal(2);
    expect(result.stderr).to.include(`${broken}: observe.timeout: expected a duration like "500ms"`);
    expect(result.stderr).to.not.include('not running');
  });

  it('run still refuses when the lab is not running', async () => {
    const result = await runCli(['run', join(PROJECT_DIR, 'drills', 'lab-demo.yaml'), '--state-dir', state.path]);
    expect(result.code).to.equal(2);
    expect(result.stderr).to.include('the lab is not running');
  });
});
