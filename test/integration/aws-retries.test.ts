/**
 * Issue 3: throttling and 5xx answers from AWS are retried, and an API that stays down makes a
 * signal `unknown` — never a state, so never a false detection. A fault proxy sits between the
 * SDK clients and moto and answers some requests itself, in each service's own protocol
 * (CloudWatch: AWS JSON 1.0, query-compatible; FIS: REST-JSON). moto holds the truth.
 */
import { fileURLToPath } from 'node:url';
import { PutMetricAlarmCommand, SetAlarmStateCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { ListExperimentTemplatesCommand, type FisClient } from '@aws-sdk/client-fis';
import { expect } from 'chai';
import { join } from 'node:path';
import { z } from 'zod';
import { cloudWatchClient, emulatorTarget, fisClient, type AwsTarget } from '../../src/aws/clients.js';
import { setMotoTransition, startMoto, type Emulator } from '../../lab/emulator.js';
import { createClock } from '../../src/core/clock.js';
import type { JsonObject } from '../../src/core/json.js';
import { exactInstant } from '../../src/core/measurement.js';
import { Timeline, UNKNOWN_STATE, type SignalEvent, type TimelineEvent } from '../../src/core/timeline.js';
import type { FaultContext, FaultKind } from '../../src/faults/fault.js';
import { getExperiment, listDrillExperiments, statusOf } from '../../src/faults/fis-api.js';
import { createFisFault, fisSettings } from '../../src/faults/fis.js';
import type { Probe } from '../../src/probes/probe.js';
import { runDrill } from '../../src/runner/drill.js';
import { schemasOf, type Kinds } from '../../src/runner/kinds.js';
import { pollSignal } from '../../src/runner/schedule.js';
import type { Environment } from '../../src/scenario/environment.js';
import { loadScenarioObject } from '../../src/scenario/load.js';
import { cloudWatchAlarmSettings, createCloudWatchAlarmSignal } from '../../src/signals/cloudwatch-alarm.js';
import type { Observation, Signal } from '../../src/signals/signal.js';
import {
  always, burst, everyOther, firstAttempts, forwardAll, startHttpFaultProxy, type HttpFaultProxy, type ProxyRecord,
} from '../support/http-fault-proxy.js';
import { createTempDir, type TempDir } from '../support/temp-dir.js';

const projectDir = fileURLToPath(new URL('../..', import.meta.url));
const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
/** clients.ts's default: attempts per call, the first included. */
const MAX_ATTEMPTS = 5;
const FIRING = 'retries-firing';
const QUIET = 'retries-quiet';

/** The attempts of each SDK call (one invocation id), in arrival order. */
function callsOf(records: readonly ProxyRecord[]): ProxyRecord[][] {
  const calls = new Map<string, ProxyRecord[]>();
  for (const r of records) {
    const id = r.invocationId ?? `seq-${r.seq}`;
    calls.set(id, [...(calls.get(id) ?? []), r]);
  }
  return [...calls.values()];
}

/** A signal that reports each finished observation, so a test can wait for the n-th poll. */
function countingPolls(signal: Signal, polls: number): { signal: Signal; done: Promise<void> } {
  let seen = 0;
  let resolve!: () => void;
  const done = new Promise<void>((r) => { resolve = r; });
  return {
    done,
    signal: {
      ...signal,
      async observe(ctx): Promise<Observation> {
        try {
          return await signal.observe(ctx);
        } finally {
          if (++seen === polls) resolve();
        }
      },
    },
  };
}

describe('AWS retries through a fault proxy on moto', function () {
  let moto: Emulator;
  let proxy: HttpFaultProxy;
  let cw: CloudWatchClient;
  let fis: FisClient;
  let work: TempDir;
  const viaProxy = (region: string): AwsTarget => emulatorTarget(proxy.endpoint, region);
  const ctx = { signal: new AbortController().signal };

  before(async function () {
    moto = await startMoto({ projectDir });
    await setMotoTransition(moto.endpoint, 'fis::experiment', { progression: 'time', seconds: 1 });
    proxy = await startHttpFaultProxy({ upstream: moto.endpoint });
    cw = cloudWatchClient(emulatorTarget(moto.endpoint, REGION));
    fis = fisClient(emulatorTarget(moto.endpoint, REGION));
    for (const [alarm, state] of [[FIRING, 'ALARM'], [QUIET, 'OK']] as const) {
      await cw.send(new PutMetricAlarmCommand({
        AlarmName: alarm, Namespace: 'App', MetricName: 'Errors', Statistic: 'Sum', Period: 10,
        EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      }));
      await cw.send(new SetAlarmStateCommand({ AlarmName: alarm, StateValue: state, StateReason: `the test sets ${state}` }));
    }
    work = createTempDir('aws-retries');
  });

  beforeEach(function () {
    proxy.setPlan(forwardAll);
  });

  after(async function () {
    cw?.destroy();
    fis?.destroy();
    await proxy?.stop();
    await moto?.stop();
    work?.remove();
  });

  describe('cloudwatch-alarm signal', function () {
    let alarmSignal: Signal | undefined;

    afterEach(async function () {
      await alarmSignal?.close();
      alarmSignal = undefined;
    });

    it('reads ALARM on every poll while every other request is throttled: no unknown, no change of state', async function () {
      const POLLS = 3;
      alarmSignal = createCloudWatchAlarmSignal('firing', { alarm: FIRING, region: REGION, interval: '50ms' }, viaProxy);
      const counted = countingPolls(alarmSignal, POLLS);
      const timeline = new Timeline();
      const from = proxy.requests.length;
      proxy.setPlan(everyOther('throttle'));
      const schedule = pollSignal(counted.signal, { clock: createClock(), timeline });
      await counted.done;
      await schedule.stop();

      expect(timeline.of('signal').map((e) => e.state), 'states recorded by the runner').to.deep.equal(['ALARM']);
      const seen = proxy.requests.slice(from);
      const describeCalls = callsOf(seen.filter((r) => r.operation === 'DescribeAlarms'));
      expect(describeCalls.length, 'DescribeAlarms calls').to.be.at.least(POLLS);
      const throttled = seen.filter((r) => r.answeredBy === 'proxy');
      expect(throttled.length, 'requests the proxy throttled').to.be.at.least(POLLS);
      expect(throttled.every((r) => r.status === 400 && r.protocol === 'awsJson' && r.queryCompatible), 'throttled as a query-compatible JSON service').to.equal(true);
      // Every throttled attempt short of the last was retried; every DescribeAlarms ended at moto.
      for (const call of callsOf(seen)) {
        for (const attempt of call.filter((r) => r.answeredBy === 'proxy' && r.attempt! < MAX_ATTEMPTS)) {
          expect(call.some((later) => later.attempt === attempt.attempt! + 1), `${attempt.operation} attempt ${attempt.attempt} was retried`).to.equal(true);
        }
      }
      expect(describeCalls.map((call) => `${call.at(-1)!.answeredBy}:${call.at(-1)!.status}`)).to.satisfy((ends: string[]) => ends.every((end) => end === 'upstream:200'));
      // moto lacks DescribeAlarmHistory: its attempts alternate throttling and moto's 500 page, so
      // `since` comes from the alarm's StateUpdatedTimestamp instead of failing the poll.
      expect(timeline.of('signal')[0]!.detail).to.include({ sinceSource: 'state-updated' });
    });

    it(`reads ALARM after a burst of ${MAX_ATTEMPTS - 1} × 503 (one fewer than maxAttempts)`, async function () {
      alarmSignal = createCloudWatchAlarmSignal('firing', { alarm: FIRING, region: REGION }, viaProxy);
      await alarmSignal.observe(ctx); // settles DescribeAlarmHistory (moto lacks it) so the burst meets DescribeAlarms alone
      const from = proxy.requests.length;
      proxy.setPlan(burst(MAX_ATTEMPTS - 1, 'unavailable'));

      expect((await alarmSignal.observe(ctx)).state).to.equal('ALARM');
      const [call, ...others] = callsOf(proxy.requests.slice(from));
      expect(others, 'one call').to.deep.equal([]);
      expect(call!.map((r) => `${r.attempt}:${r.status}`)).to.deep.equal(['1:503', '2:503', '3:503', '4:503', '5:200']);
    });

    it('throws when every request answers 503: the runner records unknown, never a state', async function () {
      alarmSignal = createCloudWatchAlarmSignal('firing', { alarm: FIRING, region: REGION }, viaProxy);
      const from = proxy.requests.length;
      proxy.setPlan(always('unavailable'));

      const outcome = await alarmSignal.observe(ctx).then((o) => o, (error: Error) => error);
      expect(outcome, 'observe answered a state').to.be.instanceOf(Error);
      expect((outcome as Error).name).to.equal('ServiceUnavailable');
      const calls = callsOf(proxy.requests.slice(from));
      expect(calls.map((c) => c.map((r) => r.attempt)), 'one call, retried to maxAttempts').to.deep.equal([[1, 2, 3, 4, 5]]);
    });
  });

  describe('a drill whose AWS API fails mid-drill', function () {
    it('shows unknown on the timeline and no detection while the alarm really stays OK', async function () {
      let failedOver = false;
      const apiOutage: FaultKind<Record<string, never>> = {
        kind: 'api-outage',
        settings: z.strictObject({}),
        plan: () => ['every AWS request through the fault proxy answers 503'],
        async inject(_s, c) {
          proxy.setPlan(always('unavailable'));
          return { at: exactInstant(c.clock.now()), state: {} };
        },
        async revert() { proxy.setPlan(forwardAll); },
        async verifyReverted() {},
      };
      const probe = (name: string): Probe => ({
        name, intervalMs: 50, timeoutMs: 500,
        // The app "fails over" once the signal went unknown, so the drill ends without a fixed wait.
        sample: async () => ({ ok: true, status: 200, region: failedOver ? 'us-west-2' : REGION }),
        close: async () => {},
      });
      const kinds: Kinds = {
        probes: { fake: { settings: z.strictObject({}), create: (name) => probe(name) } },
        signals: { 'cloudwatch-alarm': { settings: cloudWatchAlarmSettings, create: (name, s) => createCloudWatchAlarmSignal(name, s, viaProxy) } },
        canaries: {},
        faults: { 'api-outage': apiOutage },
        steps: {},
      };
      // Its AWS calls go where the signal's do, so preflight's STS question is answered by the emulator too.
      const { endpoints, credentials } = viaProxy(REGION);
      const environment: Environment = { name: 'retries', aws: { accounts: [ACCOUNT], regions: [REGION], endpoints: endpoints!, credentials: credentials! }, vars: {} };
      const scenario = loadScenarioObject({
        scenario: 'aws-api-outage',
        faults: [{ name: 'api-outage', kind: 'api-outage' }],
        probes: [{ name: 'app', kind: 'fake' }],
        signals: [{ name: 'health', kind: 'cloudwatch-alarm', alarm: QUIET, region: REGION, interval: '100ms' }],
        milestones: { detect: { signal: 'health', becomes: 'ALARM' }, recovered: { probe: 'app', region: 'us-west-2', consecutive: 2 } },
        steadyState: { window: '500ms' },
        observe: { timeout: '20s', settle: '100ms' },
        verify: { window: '200ms' },
        targets: { rto: '30s' },
        guardrails: { maxDuration: '60s' },
      }, 'aws-api-outage', environment, schemasOf(kinds));

      const events: TimelineEvent[] = [];
      const result = await runDrill({
        scenario, environment, kinds, outDir: join(work.path, 'out'), stateDir: join(work.path, 'state'),
        onEvent: (e) => {
          events.push(e);
          if (e.kind === 'signal' && e.state === UNKNOWN_STATE) failedOver = true;
        },
      });

      const signals = events.filter((e): e is SignalEvent => e.kind === 'signal');
      const injectedT = events.find((e) => e.kind === 'fault' && e.action === 'injected')!.t;
      expect(signals[0]?.state, 'the alarm read before the outage').to.equal('OK');
      const unknown = signals.find((e) => e.state === UNKNOWN_STATE);
      expect(unknown, 'the signal went unknown').to.not.equal(undefined);
      expect(unknown!.t, 'unknown only after the API failed').to.be.at.least(injectedT);
      expect(String(unknown!.detail?.error)).to.contain('Service is unavailable');
      expect(signals.map((e) => e.state), 'no state but OK and unknown').to.satisfy((states: string[]) => states.every((s) => s === 'OK' || s === UNKNOWN_STATE));
      expect(result.milestones.detect, 'detect milestone').to.equal(null);
      expect(result.measurements.detectionMs, 'detection measurement').to.equal(null);
      expect(result.faults[0]!.verified, 'the outage was reverted').to.equal(true);
    });
  });

  describe('FIS fault', function () {
    it('injects and reverts while the first attempt of every call is throttled', async function () {
      const fault = createFisFault(viaProxy);
      const drillId = `retries-${Date.now()}`;
      const remembered: JsonObject[] = [];
      const faultCtx: FaultContext = { clock: createClock(), signal: ctx.signal, drillId, remember: async (s) => { remembered.push(s); }, log: () => {} };
      const settings = fisSettings.parse({
        region: REGION, pollInterval: '100ms', startTimeout: '30s', stopTimeout: '30s',
        inlineTemplate: { actions: { wait: { actionId: 'aws:fis:wait', parameters: { duration: 'PT10M' } } }, roleArn: `arn:aws:iam::${ACCOUNT}:role/firedrill-fis` },
      });
      const from = proxy.requests.length;
      proxy.setPlan(firstAttempts('throttle'));

      const injection = await fault.inject(settings, faultCtx);
      const experimentId = String(injection.state.experimentId);
      const templates = (await fis.send(new ListExperimentTemplatesCommand({}))).experimentTemplates ?? [];
      expect(templates.map((t) => t.id), 'one template, though CreateExperimentTemplate was throttled').to.deep.equal([injection.state.templateId]);
      expect((await listDrillExperiments(fis, drillId)).map((e) => e.id), 'one experiment, though StartExperiment was throttled').to.deep.equal([experimentId]);

      await fault.revert(settings, injection.state, faultCtx);
      await fault.verifyReverted(settings, injection.state, faultCtx);
      expect(statusOf(await getExperiment(fis, experimentId))).to.be.oneOf(['stopped', 'completed']);
      expect((await fis.send(new ListExperimentTemplatesCommand({}))).experimentTemplates ?? [], 'the template was deleted').to.deep.equal([]);

      const calls = callsOf(proxy.requests.slice(from));
      const operations = new Set(calls.map((c) => c[0]!.operation.replace(/\/[0-9a-zA-Z]{20,}$/, '/{id}')));
      expect([...operations]).to.include.members(['POST /experimentTemplates', 'POST /experiments', 'GET /experiments/{id}', 'DELETE /experiments/{id}', 'DELETE /experimentTemplates/{id}']);
      for (const call of calls) {
        expect(call.map((r) => `${r.attempt}:${r.answeredBy}`), call[0]!.operation).to.deep.equal(['1:proxy', '2:upstream']);
        expect(call[0]!.status).to.equal(400);
      }
    });
  });
});
