import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { stringify } from 'yaml';
import { z } from 'zod';
import { gameDaySettingsFrom } from '../../src/cli/game-day-session.js';
import { runAndReport } from '../../src/cli/run-command.js';
import { kindsFor } from '../../src/runner/builtin-kinds.js';
import { schemasOf } from '../../src/runner/kinds.js';
import { EXIT } from '../../src/runtime/errors.js';
import { loadScenario } from '../../src/scenario/load.js';
import { captureIo } from '../support/capture-io.js';
import { startFaultHookServer, type FaultHookServer } from '../support/fault-hook-server.js';
import { runCli } from '../support/cli-process.js';
import { createTempDir, type TempDir } from '../support/temp-dir.js';

/**
 * `firedrill run` ends with one exit code per outcome, so CI tells a finding from a drill that
 * never ran to its end without reading result.json. The system under test is this test's own
 * HTTP server: a fault hook that makes `/app` fail for 400 ms, and a hook that answers 500.
 */
const OUTAGE_MS = 400;

describe('firedrill run: an exit code per outcome (black box, no lab)', function () {
  this.timeout(120_000);
  let work: TempDir;
  let system: FaultHookServer;
  let base: string;

  before(async () => {
    work = createTempDir('exit-codes');
    system = await startFaultHookServer(OUTAGE_MS);
    base = system.base;
    work.write('firedrill.config.yaml', stringify({ environments: { local: { vars: { base } } } }));
  });

  after(async () => {
    await system?.stop();
    work?.remove();
  });

  /** A drill on the test server; `change` adjusts it for the outcome wanted. */
  const scenario = (file: string, change: (s: Record<string, any>) => void) => {
    const s: Record<string, any> = {
      scenario: 'exit-codes',
      environment: 'local',
      faults: [{ name: 'outage', kind: 'http-hook', on: { url: '${vars.base}fault/on' }, off: { url: '${vars.base}fault/off' } }],
      probes: [{ name: 'app', kind: 'http', url: '${vars.base}app', interval: '100ms', timeout: '300ms' }],
      milestones: { recovered: { probe: 'app', consecutive: 3 } },
      steadyState: { window: '300ms' },
      observe: { timeout: '5s', settle: '200ms' },
      verify: { window: '300ms' },
      targets: { rto: '10s' },
    };
    change(s);
    return work.write(file, stringify(s));
  };

  const run = async (file: string) => {
    const out = join(work.path, `out-${basename(file)}`);
    const result = await runCli(['run', file, '--state-dir', join(work.path, 'state'), '--out', out], { cwd: work.path, env: { CI: 'true' }, timeoutMs: 60_000 });
    const outcome = result.code === EXIT.invalid ? undefined : (JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as { outcome: string }).outcome;
    return { ...result, outcome };
  };

  it('0: every target met (passed)', async () => {
    const result = await run(scenario('passed.yaml', () => {}));
    expect(result.code, result.output).to.equal(0);
    expect(result.outcome).to.equal('passed');
  });

  it('1: a target breached (failed, a finding)', async () => {
    const result = await run(scenario('failed.yaml', (s) => { s.targets = { rto: '1ms' }; }));
    expect(result.code, result.output).to.equal(1);
    expect(result.outcome).to.equal('failed');
  });

  it('2: invalid input, nothing ran', async () => {
    const result = await run(scenario('invalid.yaml', (s) => { s.probes[0].interval = 'fast'; }));
    expect(result.code, result.output).to.equal(2);
    expect(result.stderr).to.include('invalid.yaml: probes[0].interval: expected a duration');
  });

  it('3: a guardrail stopped the drill (aborted), and the fault was reverted', async () => {
    const result = await run(scenario('aborted.yaml', (s) => { s.probes[0].protected = true; }));
    expect(result.code, result.output).to.equal(3);
    expect(result.outcome).to.equal('aborted');
    expect(system.faultOn(), 'the revert called the off hook').to.equal(false);
  });

  it('4: the harness broke (errored, not evidence): runAndReport with a probe kind whose factory throws', async () => {
    // A harness bug cannot be provoked from a scenario file, so the CLI's own run-and-report is
    // given a kind of the test's own, as `runScenario({ kinds })` would take one.
    const file = scenario('errored.yaml', (s) => { s.probes[0].kind = 'broken'; });
    const environment = { name: 'local', vars: { base } };
    const kinds = kindsFor(environment);
    kinds.probes.broken = { settings: z.looseObject({}), create: () => { throw new TypeError('a bug in the harness'); } };
    const scenarioLoaded = await loadScenario(file, environment, schemasOf(kinds));
    const captured = captureIo(work.path);
    const out = join(work.path, 'out-errored');
    const code = await runAndReport({ scenario: scenarioLoaded, environment, kinds, stateDir: join(work.path, 'state'), out, gameDay: gameDaySettingsFrom({ ci: true }) }, captured.io);
    expect(code, captured.text()).to.equal(4);
    expect((JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as { outcome: string }).outcome).to.equal('errored');
    expect(captured.text()).to.include('a bug in the harness');
  });
});
