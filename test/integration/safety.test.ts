/**
 * Issue 6's table: each way a drill can be cut short, run against the real lab, and afterwards
 * nothing is left injected (the proxy passes traffic, a record firedrill changed holds its
 * original value) and the result says what happened. Signals sent to the real process
 * (SIGINT/SIGTERM/SIGKILL + cleanup, a second drill) are in test/cli/interrupt.test.ts.
 */
import { ChangeResourceRecordSetsCommand, type Route53Client } from '@aws-sdk/client-route-53';
import { PutMetricAlarmCommand, SetAlarmStateCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { cloudWatchClient, emulatorTarget, route53Client } from '../../src/aws/clients.js';
import { startMoto, type Emulator } from '../../lab/emulator.js';
import type { TimelineEvent } from '../../src/core/timeline.js';
import { startLab, type Lab } from '../../lab/lab.js';
import { kindsFor } from '../../src/runner/builtin-kinds.js';
import { runDrill } from '../../src/runner/drill.js';
import { Journal } from '../../src/runner/journal.js';
import { schemasOf } from '../../src/runner/kinds.js';
import type { DrillResult } from '../../src/runner/result.js';
import { FiredrillError } from '../../src/runtime/errors.js';
import { loadScenario } from '../../src/scenario/load.js';
import { readRecordSet } from '../../src/aws/route53-records.js';

const PROJECT_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const GUARD_RECORD = 'guard.lab.firedrill.test';

describe('safety: every way a drill is cut short leaves nothing injected', function () {
  this.timeout(120_000);
  let emulator: Emulator;
  let lab: Lab;
  let work: string;
  let route53: Route53Client;
  let cloudwatch: CloudWatchClient;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'firedrill-safety-'));
    emulator = await startMoto({ projectDir: PROJECT_DIR });
    lab = await startLab({ dir: join(work, 'lab'), projectDir: PROJECT_DIR, awsEndpoint: emulator.endpoint });
    route53 = route53Client(emulatorTarget(emulator.endpoint, 'us-east-1'));
    cloudwatch = cloudWatchClient(emulatorTarget(emulator.endpoint, 'us-east-1'));
    await route53.send(new ChangeResourceRecordSetsCommand({
      HostedZoneId: lab.vars.hostedZoneId,
      ChangeBatch: { Changes: [{ Action: 'UPSERT', ResourceRecordSet: { Name: `${GUARD_RECORD}.`, Type: 'A', TTL: 60, ResourceRecords: [{ Value: '192.0.2.1' }] } }] },
    }));
    await cloudwatch.send(new PutMetricAlarmCommand({ AlarmName: 'guard-alarm', Namespace: 'Guard', MetricName: 'Errors', Statistic: 'Sum', Period: 10, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanThreshold' }));
  });

  after(async () => {
    route53?.destroy();
    cloudwatch?.destroy();
    await lab?.stop();
    await emulator?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  afterEach(async () => {
    await lab.controller.failback();
    lab.apps.recovery.instances = 1;
    await cloudwatch.send(new SetAlarmStateCommand({ AlarmName: 'guard-alarm', StateValue: 'OK', StateReason: 'test reset' }));
  });

  /** The demo's shape, plus a record change at detection that must be put back, and overrides. */
  function scenario(overrides: Record<string, unknown> = {}): string {
    const base = {
      scenario: 'safety',
      faults: [{ name: 'outage', kind: 'blackhole', proxy: '${lab.proxyControl}', mode: 'drop', lease: '30s', verifyUrl: '${lab.primaryUrl}health' }],
      probes: [
        { name: 'app', kind: 'http', url: '${lab.appUrl}', interval: '200ms', timeout: '500ms', region: { header: 'x-firedrill-region' }, resolve: { nameservers: ['${lab.dns}'] } },
        { name: 'recovery-region', kind: 'http', url: '${lab.recoveryUrl}health', interval: '200ms', timeout: '500ms', userFacing: false, protected: { failures: 3 } },
      ],
      signals: [
        { name: 'health', kind: 'cloudwatch-alarm', alarm: 'lab-primary-health', region: 'us-east-1', interval: '250ms' },
        { name: 'guard', kind: 'cloudwatch-alarm', alarm: 'guard-alarm', region: 'us-east-1', interval: '250ms', stopWhen: 'ALARM' },
      ],
      steps: [{ name: 'guard-record', kind: 'route53-record-change', when: 'fault', hostedZoneId: '${lab.hostedZoneId}', recordName: GUARD_RECORD, values: ['192.0.2.99'] }],
      milestones: { detect: { signal: 'health', becomes: 'ALARM' }, recovered: { probe: 'app', region: 'us-west-2', consecutive: 3 } },
      steadyState: { window: '1s' },
      observe: { timeout: '20s', settle: '500ms' },
      verify: { window: '1s' },
      targets: { rto: '30s' },
      guardrails: { maxDuration: '60s' },
      ...overrides,
    };
    const file = join(work, `scenario-${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(file, stringify(base));
    return file;
  }

  async function drill(file: string, options: { onEvent?: (e: TimelineEvent) => void; interrupt?: AbortSignal; outDir?: string; maxDurationMs?: number } = {}): Promise<DrillResult> {
    const kinds = kindsFor(lab.environment);
    const loaded = await loadScenario(file, lab.environment, schemasOf(kinds));
    const { maxDurationMs, ...runOptions } = options;
    if (maxDurationMs !== undefined) loaded.spec.guardrails.maxDuration = maxDurationMs;
    return runDrill({ scenario: loaded, environment: lab.environment, kinds, outDir: options.outDir ?? join(work, 'out', loaded.sha256.slice(0, 8) + Date.now()), stateDir: join(work, 'state'), ...runOptions });
  }

  async function expectNothingLeftInjected(): Promise<void> {
    const proxy = lab.proxy.state();
    expect(proxy.mode, 'the blackhole proxy passes traffic').to.equal('pass');
    const res = await fetch(`${lab.vars.primaryUrl}health`);
    expect(res.status, 'a request through the proxy succeeds').to.equal(200);
    const record = await readRecordSet(route53, { hostedZoneId: lab.vars.hostedZoneId, recordName: GUARD_RECORD, type: 'A' });
    expect(record?.ResourceRecords?.map((r) => r.Value), 'the record holds its original value').to.deep.equal(['192.0.2.1']);
    expect(Journal.forEnvironment(join(work, 'state'), 'lab').unreverted(), 'the journal holds no unreverted fault').to.deep.equal([]);
  }

  function readTimeline(outDir: string): TimelineEvent[] {
    return readFileSync(join(outDir, 'timeline.ndjson'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as TimelineEvent);
  }

  function injectedOnce(onInjected: () => void, fault = 'outage'): (e: TimelineEvent) => void {
    let fired = false;
    return (e) => {
      if (!fired && e.kind === 'fault' && e.fault === fault && e.action === 'injected') {
        fired = true;
        onInjected();
      }
    };
  }

  it('an interrupt (what SIGINT and SIGTERM do) mid-observe: aborted, everything reverted and verified', async () => {
    const interrupt = new AbortController();
    const result = await drill(scenario(), { interrupt: interrupt.signal, onEvent: injectedOnce(() => interrupt.abort('SIGINT received'), 'guard-record') });
    expect(result.outcome).to.equal('aborted');
    expect(result.aborted!.reason).to.contain('SIGINT');
    expect(result.faults[0]!.verified).to.equal(true);
    expect(result.steps[0]!.verified).to.equal(true);
    await expectNothingLeftInjected();
  });

  it('a stop-condition alarm firing aborts the drill and reverts', async () => {
    const result = await drill(scenario(), {
      onEvent: injectedOnce(() => void cloudwatch.send(new SetAlarmStateCommand({ AlarmName: 'guard-alarm', StateValue: 'ALARM', StateReason: 'the guardrail test fires it' }))),
    });
    expect(result.outcome).to.equal('aborted');
    expect(result.aborted!.guardrail).to.equal('stopWhen:guard');
    await expectNothingLeftInjected();
  });

  it('a protected probe failing aborts the drill and reverts', async () => {
    const result = await drill(scenario(), { onEvent: injectedOnce(() => { lab.apps.recovery.instances = 0; }) });
    expect(result.outcome).to.equal('aborted');
    expect(result.aborted!.guardrail).to.equal('protected:recovery-region');
    expect(result.aborted!.reason).to.match(/failed 3 time\(s\) in a row/);
    await expectNothingLeftInjected();
  });

  it('the maximum duration reached aborts the drill and reverts', async () => {
    const started = Date.now();
    // Validation refuses a maximum shorter than the phases; the runner's guard is what is tested here.
    const result = await drill(scenario({ milestones: { recovered: { probe: 'app', region: 'eu-nowhere-1', consecutive: 3 } } }), { maxDurationMs: 2_500 });
    expect(result.outcome).to.equal('aborted');
    expect(result.aborted!.guardrail).to.equal('maxDuration');
    expect(Date.now() - started, 'it stopped near its maximum, not at the observe timeout').to.be.below(15_000);
    await expectNothingLeftInjected();
  });

  it('an error rate above its bound aborts the drill and reverts', async () => {
    const result = await drill(scenario({ guardrails: { maxDuration: '60s', maxErrorRate: [{ probe: 'app', rate: '50%', window: '1s' }] } }));
    expect(result.outcome).to.equal('aborted');
    expect(result.aborted!.guardrail, result.aborted!.reason).to.equal('maxErrorRate:app');
    await expectNothingLeftInjected();
  });

  it('a probe target that hangs counts as failures from when the requests were sent', async () => {
    const outDir = join(work, 'out', 'hanging');
    const result = await drill(scenario(), { outDir });
    const fault = result.milestones.fault!;
    const impact = result.milestones.impact!;
    // A request already in flight when the blackhole closes hangs too: it may have been sent just before.
    expect(impact.t - fault.t, 'the first hanging request was sent within one interval of the fault').to.be.within(-500, 200 + 50);
    expect(impact.upper, 'impact is bounded after the fault took effect').to.be.at.least(fault.t);
    const firstFailure = readTimeline(outDir).find((e) => e.kind === 'sample' && e.probe === 'app' && !e.ok);
    expect(firstFailure).to.deep.include({ t: impact.t, error: 'timeout after 500ms' });
    await expectNothingLeftInjected();
  });

  it('the AWS emulator killed mid-drill: signals go unknown (never a detection), the blackhole is still reverted', async () => {
    // A lab of its own, with an emulator this test can kill.
    const ownEmulator = await startMoto({ projectDir: PROJECT_DIR });
    const ownLab = await startLab({ dir: join(work, 'own-lab'), projectDir: PROJECT_DIR, awsEndpoint: ownEmulator.endpoint });
    try {
      const kinds = kindsFor(ownLab.environment);
      const file = scenario({ steps: [], observe: { timeout: '6s', settle: '500ms' } });
      const loaded = await loadScenario(file, ownLab.environment, schemasOf(kinds));
      const result = await runDrill({
        scenario: loaded, environment: ownLab.environment, kinds, outDir: join(work, 'out', 'emulator-killed'), stateDir: join(work, 'own-state'),
        onEvent: injectedOnce(() => void ownEmulator.stop()),
      });
      const healthStates = readTimeline(join(work, 'out', 'emulator-killed')).filter((e) => e.kind === 'signal' && e.signal === 'health').map((e) => (e as { state: string }).state);
      expect(healthStates, 'the alarm signal went unknown').to.include('unknown');
      expect(result.milestones.detect, 'no detection was invented').to.equal(null);
      expect(result.outcome).to.not.equal('passed');
      expect(result.faults[0]!.verified).to.equal(true);
      expect(ownLab.proxy.state().mode).to.equal('pass');
    } finally {
      await ownLab.stop();
      await ownEmulator.stop();
    }
  });

  it('an output folder that cannot be written is refused before anything is injected', async () => {
    const file = join(work, 'a-file');
    writeFileSync(file, 'not a folder');
    const before = lab.proxy.state().changedAt;
    let error: unknown;
    await drill(scenario(), { outDir: join(file, 'out') }).catch((e: unknown) => { error = e; });
    expect(error).to.be.instanceOf(FiredrillError);
    expect((error as FiredrillError).code).to.equal('FIREDRILL_PREFLIGHT');
    expect(lab.proxy.state().changedAt, 'the proxy was never switched').to.equal(before);
    await expectNothingLeftInjected();
  });
});
