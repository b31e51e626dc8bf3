import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_DIR, runCli, type CliResult } from '../support/cli-process.js';
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

  describe('each broken fixture, from a folder with no firedrill.config.yaml', () => {
    const brokenDir = join(PROJECT_DIR, 'test', 'fixtures', 'broken');
    const expectations = JSON.parse(readFileSync(join(brokenDir, 'expectations.json'), 'utf8')) as Record<string, { exit: number; contains: string[] } | string>;
    const cases = Object.entries(expectations).filter((entry): entry is [string, { exit: number; contains: string[] }] => typeof entry[1] !== 'string');
    const results = new Map<string, CliResult>();

    before(async function () {
      this.timeout(180_000);
      const empty = createTempDir('no-config');
      try {
        for (let i = 0; i < cases.length; i += 4) {
          await Promise.all(cases.slice(i, i + 4).map(async ([file]) => {
            results.set(file, await runCli(['validate', join(brokenDir, file), '--state-dir', state.path], { cwd: empty.path }));
          }));
        }
      } finally {
        empty.remove();
      }
    });

    for (const [file, expected] of cases) {
      it(`${file}: exit ${expected.exit}, naming the file and ${expected.contains.join(' / ')}`, () => {
        const result = results.get(file)!;
        expect(result.code, result.output).to.equal(expected.exit);
        expect(result.stderr).to.include(`firedrill validate: ${join(brokenDir, file)}`);
        for (const text of expected.contains) expect(result.stderr, result.output).to.include(text);
        expect(result.output).not.to.match(/^\s+at /m);
      });
    }
  });

  it('run still refuses when the lab is not running', async () => {
    const result = await runCli(['run', join(PROJECT_DIR, 'drills', 'lab-demo.yaml'), '--state-dir', state.path]);
    expect(result.code).to.equal(2);
    expect(result.stderr).to.include('the lab is not running');
  });
});
