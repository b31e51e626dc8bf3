import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PROJECT_DIR, runCli, type CliResult } from '../support/cli-process.js';
import { createTempDir, type TempDir } from '../support/temp-dir.js';
import { startTestLab, type TestLab } from '../support/test-lab.js';

/**
 * The broken-scenario folder: each file in test/fixtures/broken has one mistake, and
 * expectations.json gives the exit code and the message it must produce. Both `validate` and
 * `run` must refuse it with exit 2, name the file and the field, and inject nothing.
 */
const BROKEN_DIR = join(PROJECT_DIR, 'test', 'fixtures', 'broken');
const expectations = JSON.parse(readFileSync(join(BROKEN_DIR, 'expectations.json'), 'utf8')) as Record<string, { exit: number; contains: string[] } | string>;
const cases = Object.entries(expectations).filter((entry): entry is [string, { exit: number; contains: string[] }] => typeof entry[1] !== 'string');
const COMMANDS = ['validate', 'run'] as const;

async function mapWithConcurrency<T, R>(items: T[], limit: number, body: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await body(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

describe('firedrill validate|run on broken scenarios (black box)', function () {
  this.timeout(120_000);
  let state: TempDir;
  let lab: TestLab;
  const results = new Map<string, CliResult>();

  before(async () => {
    state = createTempDir('broken');
    lab = await startTestLab(state.path);
    // Every (file, command) pair runs once here, a few at a time; each test below reads its result.
    const pairs = cases.flatMap(([file]) => COMMANDS.map((command) => ({ file, command })));
    await mapWithConcurrency(pairs, 6, async ({ file, command }) => {
      const scenario = relative(PROJECT_DIR, join(BROKEN_DIR, file));
      const outDir = join(state.path, 'out', `${command}-${file}`);
      results.set(`${command} ${file}`, await runCli([command, scenario, '--state-dir', state.path, ...(command === 'run' ? ['--out', outDir] : [])]));
    });
  });

  after(async () => {
    await lab?.stop();
    state?.remove();
  });

  it('has an expectation for every broken file, and a file for every expectation', () => {
    const files = readdirSync(BROKEN_DIR).filter((f) => f !== 'expectations.json').sort();
    expect(cases.map(([file]) => file).sort()).to.deep.equal(files);
  });

  for (const [file, expected] of cases) {
    for (const command of COMMANDS) {
      it(`${command} ${file}: exit ${expected.exit}, names the file and ${expected.contains.join(' / ')}`, () => {
        const result = results.get(`${command} ${file}`)!;
        const context = `firedrill ${command} ${file} printed:\n${result.output}`;
        expect(result.code, context).to.equal(expected.exit);
        expect(result.stderr, context).to.include(`firedrill ${command}: test/fixtures/broken/${file}`);
        for (const text of expected.contains) expect(result.stderr, context).to.include(text);
        expect(result.output, context).not.to.match(/^\s+at /m);
        expect(result.output, context).not.to.include('unexpected error');
        expect(result.stdout, `${context}\n(nothing of a drill may start)`).not.to.match(/preflight|steady-state|inject/);
      });
    }
  }

  it('injected nothing: the blackhole proxy still passes traffic and the journal is empty', async () => {
    expect(results.size).to.equal(cases.length * COMMANDS.length);
    expect(await lab.proxyMode()).to.equal('pass');
    expect(await lab.primaryAnswers()).to.equal(true);
    expect(lab.journalEntries()).to.deep.equal([]);
  });
});
