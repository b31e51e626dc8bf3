import { expect } from 'chai';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { main } from '../../src/cli/main.js';
import { captureIo } from '../support/capture-io.js';
import { PROJECT_DIR, runCli } from '../support/cli-process.js';
import { mutateDocument, seededRandom, type MutatedCase } from '../support/fuzz-mutations.js';
import { createTempDir, type TempDir } from '../support/temp-dir.js';
import { startTestLab, type TestLab } from '../support/test-lab.js';

/**
 * Fuzzes the scenario loader and the environment config loader with seeded mutations of valid
 * documents. Whatever the input: no stack trace, exit 2 naming the file (or 0 when the mutation
 * stayed valid: then only `validate`, never a drill), and nothing injected.
 * Reproduce a failure with FUZZ_SEED=<seed printed in the failure>.
 */
const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 32));
const SCENARIO_CASES = 200;
const CONFIG_CASES = 100;
const REAL_PROCESS_CASES = 4;
const DEMO = join(PROJECT_DIR, 'drills', 'lab-demo.yaml');

interface Outcome { code: number; output: string }
interface Checked { name: string; fuzzCase: MutatedCase; file: string; args: string[]; namesOneOf: string[] }

describe(`fuzzing the scenario and config loaders (seed ${SEED})`, function () {
  this.timeout(120_000);
  let state: TempDir;
  let lab: TestLab;
  const invalidCases: Checked[] = [];

  before(async () => {
    state = createTempDir('fuzz');
    lab = await startTestLab(state.path);
  });

  after(async () => {
    await lab?.stop();
    state?.remove();
  });

  /** `main(argv)` in-process; a thrown error is what `bin.ts` would print as "unexpected error" with a stack. */
  async function callMain(argv: string[], context: string): Promise<Outcome> {
    const { io, text } = captureIo(PROJECT_DIR);
    try {
      return { code: await main(argv, io), output: text() };
    } catch (error) {
      throw new Error(`${context}\nmain() threw instead of exiting 2 (the CLI would print "unexpected error" and a stack trace): ${(error as Error).stack}`);
    }
  }

  function describeCase(name: string, c: MutatedCase, file: string): string {
    return `seed ${SEED}, ${name} (${c.mutations.join('; ')}), file ${file}:\n${c.text.slice(0, 600)}${c.text.length > 600 ? '…' : ''}`;
  }

  /** Asserts the outcome of one command on one mutated document; returns the problem, if any. */
  function problemWith(outcome: Outcome, namesOneOf: string[], allowValid: boolean): string | undefined {
    if (/^\s+at /m.test(outcome.output) || outcome.output.includes('unexpected error')) return `printed a stack trace:\n${outcome.output}`;
    if (outcome.code === 0 && allowValid) return outcome.output.includes('valid scenario') ? undefined : `exit 0 without saying the scenario is valid:\n${outcome.output}`;
    if (outcome.code !== 2) return `expected exit 2, got ${outcome.code}:\n${outcome.output}`;
    if (!namesOneOf.some((file) => outcome.output.includes(file))) return `the message names none of ${namesOneOf.join(', ')}:\n${outcome.output}`;
    return undefined;
  }

  async function fuzz(options: { label: string; cases: number; base: Record<string, unknown>; write: (c: MutatedCase, i: number) => { file: string; args: string[]; namesOneOf: string[] } }): Promise<{ valid: number; invalid: number }> {
    const random = seededRandom(SEED ^ options.label.length);
    const problems: string[] = [];
    let valid = 0;
    for (let i = 0; i < options.cases && problems.length < 5; i++) {
      const fuzzCase = mutateDocument(random, options.base);
      const { file, args, namesOneOf } = options.write(fuzzCase, i);
      const name = `${options.label} case ${i}`;
      const context = describeCase(name, fuzzCase, file);
      const validate = await callMain(['validate', ...args], context);
      const validateProblem = problemWith(validate, namesOneOf, true);
      if (validateProblem) { problems.push(`${context}\nvalidate: ${validateProblem}`); continue; }
      if (validate.code === 0) { valid++; continue; }
      invalidCases.push({ name, fuzzCase, file, args, namesOneOf });
      const out = join(state.path, 'out', `${options.label}-${i}`);
      const run = await callMain(['run', ...args, '--out', out], context);
      const runProblem = problemWith(run, namesOneOf, false) ?? (existsSync(out) ? `run created its output folder ${out}: a drill started` : undefined);
      if (runProblem) problems.push(`${context}\nrun: ${runProblem}`);
    }
    expect(problems, problems.join('\n\n----\n')).to.deep.equal([]);
    return { valid, invalid: options.cases - valid };
  }

  it(`scenario loader: ${SCENARIO_CASES} mutations of the lab demo, in-process`, async () => {
    const base = parseYaml(readFileSync(DEMO, 'utf8')) as Record<string, unknown>;
    const counts = await fuzz({
      label: 'scenario', cases: SCENARIO_CASES, base,
      write: (c, i) => {
        const file = state.write(`scenario-${i}${c.extension}`, c.text);
        return { file, args: [file, '--state-dir', state.path], namesOneOf: [file] };
      },
    });
    expect(counts.invalid, 'most mutations must break the scenario, or the fuzzer is not reaching the validator').to.be.greaterThan(SCENARIO_CASES / 2);
  });

  it(`config loader: ${CONFIG_CASES} mutations of a firedrill.config.yaml, in-process`, async () => {
    const { proxyControl, appUrl, dns } = lab.lab.vars;
    const base = {
      environments: {
        staging: {
          description: 'the fuzzed environment',
          aws: { accounts: ['123456789012'], regions: ['us-east-1', 'us-west-2'], endpoints: { default: 'http://127.0.0.1:9' } },
          vars: { proxy: proxyControl, appUrl, dns },
        },
      },
    };
    const scenario = state.write('config-scenario.yaml', stringifyYaml({
      scenario: 'config-fuzz',
      environment: 'staging',
      faults: [{ name: 'outage', kind: 'blackhole', proxy: '${vars.proxy}', mode: 'drop' }],
      probes: [{ name: 'app', kind: 'http', url: '${vars.appUrl}', interval: '200ms', resolve: { nameservers: ['${vars.dns}'] } }],
      milestones: { recovered: { probe: 'app', consecutive: 5 } },
      observe: { timeout: '30s' },
      targets: { rto: '15s' },
    }));
    const baseConfig = state.write('firedrill.config.base.yaml', stringifyYaml(base));
    const sanity = await callMain(['validate', scenario, '--config', baseConfig, '--state-dir', state.path], 'the unmutated config');
    expect(sanity, 'the unmutated config and scenario are valid').to.include({ code: 0 });

    await fuzz({
      label: 'config', cases: CONFIG_CASES, base,
      write: (c, i) => {
        const config = state.write(`firedrill.config-${i}${c.extension}`, c.text);
        return { file: config, args: [scenario, '--config', config, '--state-dir', state.path], namesOneOf: [config, scenario] };
      },
    });
  });

  it(`the real process, on ${REAL_PROCESS_CASES} of the invalid cases,: exit 2, the file named, no stack trace`, async () => {
    expect(invalidCases.length).to.be.at.least(REAL_PROCESS_CASES);
    const step = Math.floor(invalidCases.length / REAL_PROCESS_CASES);
    const chosen = Array.from({ length: REAL_PROCESS_CASES }, (_, k) => invalidCases[k * step]!);
    const results = await Promise.all(chosen.map((c) => runCli(['validate', ...c.args])));
    results.forEach((result, k) => {
      const c = chosen[k]!;
      const context = describeCase(c.name, c.fuzzCase, c.file);
      expect(result.code, `${context}\n${result.output}`).to.equal(2);
      expect(c.namesOneOf.some((file) => result.stderr.includes(file)), `${context}\nnames one of ${c.namesOneOf.join(', ')}:\n${result.stderr}`).to.equal(true);
      expect(result.output, context).not.to.match(/^\s+at /m);
      expect(result.output, context).not.to.include('unexpected error');
    });
  });

  it('injected nothing: the blackhole proxy still passes traffic and no journal was written', async () => {
    expect(await lab.proxyMode()).to.equal('pass');
    expect(lab.journalEntries()).to.deep.equal([]);
    expect(existsSync(join(state.path, 'out')), 'no drill created an output folder').to.equal(false);
  });
});
