import { expect } from 'chai';
import { stringify } from 'yaml';
import { runCli } from '../support/cli-process.js';
import { createTempDir, type TempDir } from '../support/temp-dir.js';

/** `firedrill plan` lists every call a drill would make, the read-only verifies included; it calls nothing. */
describe('firedrill plan: every call, verifies included (black box)', function () {
  this.timeout(60_000);
  let work: TempDir;
  before(() => {
    work = createTempDir('plan-calls');
    // Port 9 (discard): nothing answers there, and plan must not need it to.
    work.write('firedrill.config.yaml', stringify({ environments: { local: { vars: { app: 'http://127.0.0.1:9/' } } } }));
  });
  after(() => work.remove());

  it('prints the hook, its revert and its verify, then the http step with its undo and verify', async () => {
    const scenario = work.write('drill.yaml', stringify({
      scenario: 'outside-aws',
      environment: 'local',
      faults: [{ name: 'chaos', kind: 'http-hook', on: { url: '${vars.app}chaos/on' }, off: { url: '${vars.app}chaos/off' }, verify: { url: '${vars.app}chaos', expect: { json: { path: 'chaos', equals: false } } } }],
      probes: [{ name: 'app', kind: 'http', url: '${vars.app}' }],
      steps: [{ name: 'fail-over', kind: 'http', when: 'impact', call: { url: '${vars.app}failover', headers: { authorization: 'Bearer secret' } }, undo: { url: '${vars.app}failback' }, verify: { url: '${vars.app}state', expect: { bodyContains: 'primary' } } }],
      milestones: { recovered: { probe: 'app', consecutive: 3 } },
      observe: { timeout: '30s' },
      targets: { rto: '30s' },
    }));
    const result = await runCli(['plan', scenario, '--state-dir', work.path], { cwd: work.path });
    expect(result.code, result.output).to.equal(0);
    expect(result.stdout).to.include([
      '  1. [fault chaos] POST http://127.0.0.1:9/chaos/on',
      '  2. [fault chaos] POST http://127.0.0.1:9/chaos/off (revert)',
      '  3. [fault chaos] GET http://127.0.0.1:9/chaos, expecting a 2xx answer, JSON {"path":"chaos","equals":false} (verify the revert; read-only)',
      '  4. [step fail-over, at impact] POST http://127.0.0.1:9/failover headers {authorization: ***}',
      '  5. [step fail-over, at impact] POST http://127.0.0.1:9/failback (revert)',
      '  6. [step fail-over, at impact] GET http://127.0.0.1:9/state, expecting a 2xx answer, a body containing "primary" (verify the revert; read-only)',
    ].join('\n'));
    expect(result.stdout).not.to.include('secret');
    expect(result.stdout).to.include('guardrails: max duration 5m00s');
  });
});
