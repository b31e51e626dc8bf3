/*
 * CloudWatch adapters against moto 5.2.5. Gaps observed in moto (for the README's emulator notes):
 * - DescribeAlarmHistory is not implemented: moto answers HTTP 500 with an HTML page, which the
 *   SDK reports as a deserialization SyntaxError (after its retries). The alarm signal falls back
 *   to the alarm's own timestamps, so `since` comes from StateUpdatedTimestamp here.
 * - StateTransitionedTimestamp is never set.
 * - New alarms start OK, not INSUFFICIENT_DATA; PutMetricData never evaluates alarms, only
 *   SetAlarmState changes a state.
 * - PutCompositeAlarm is not implemented (HTML answer, SyntaxError), so composite alarms cannot
 *   be tested here; DescribeAlarms with AlarmTypes CompositeAlarm answers an empty list.
 */
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import {
  GetMetricStatisticsCommand, ListMetricsCommand, PutMetricAlarmCommand, SetAlarmStateCommand, type CloudWatchClient,
} from '@aws-sdk/client-cloudwatch';
import { expect } from 'chai';
import { cloudWatchClient, emulatorTarget, type AwsTarget } from '../../src/aws/clients.js';
import { startMoto, type Emulator } from '../../lab/emulator.js';
import { exactMeasurement } from '../../src/core/measurement.js';
import type { Measurements } from '../../src/core/measurements.js';
import { METRIC_NAMESPACE, publishMeasurements } from '../../src/report/cloudwatch-metrics.js';
import { createCloudWatchAlarmSignal } from '../../src/signals/cloudwatch-alarm.js';
import type { Signal } from '../../src/signals/signal.js';

const projectDir = fileURLToPath(new URL('../..', import.meta.url));
const REGION = 'eu-west-1';

describe('CloudWatch on moto', function () {
  let moto: Emulator;
  let target: AwsTarget;
  let cw: CloudWatchClient;
  const ctx = { signal: new AbortController().signal };

  before(async function () {
    moto = await startMoto({ projectDir });
    target = emulatorTarget(moto.endpoint, REGION);
    cw = cloudWatchClient(target);
  });

  after(async function () {
    cw?.destroy();
    await moto?.stop();
  });

  async function createAlarm(alarm: string): Promise<void> {
    await cw.send(new PutMetricAlarmCommand({
      AlarmName: alarm, Namespace: 'App', MetricName: 'Errors', Statistic: 'Sum', Period: 10,
      EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    }));
  }

  async function setState(alarm: string, state: 'OK' | 'ALARM'): Promise<void> {
    await cw.send(new SetAlarmStateCommand({ AlarmName: alarm, StateValue: state, StateReason: `test sets ${state}` }));
  }

  describe('alarm signal', function () {
    let signal: Signal;

    afterEach(async function () {
      await signal?.close();
    });

    it('follows the alarm from OK to ALARM, with since by the alarm clock', async function () {
      await createAlarm('api-errors');
      await setState('api-errors', 'OK');
      signal = createCloudWatchAlarmSignal('api-errors', { alarm: 'api-errors', region: REGION, interval: '2s' }, () => target);
      expect(signal.intervalMs).to.equal(2_000);
      expect((await signal.observe(ctx)).state).to.equal('OK');

      const before = Date.now();
      await setState('api-errors', 'ALARM');
      const after = Date.now();
      const seen = await signal.observe(ctx);
      expect(seen.state).to.equal('ALARM');
      expect(seen.since?.getTime()).to.be.within(before, after);
      expect(seen.detail).to.include({ alarm: 'api-errors', type: 'metric', sinceSource: 'state-updated', reason: 'test sets ALARM' });
    });

    it('asks for alarm history until it proves missing, then only the fallback clock', async function () {
      await createAlarm('db-lag');
      const recorder = await startRecordingProxy(moto.endpoint);
      try {
        signal = createCloudWatchAlarmSignal('db-lag', { alarm: 'db-lag', region: REGION }, () => ({ ...target, endpoints: { default: recorder.endpoint } }));
        expect(signal.intervalMs).to.equal(1_000);
        const first = await signal.observe(ctx);
        const historyCalls = recorder.operations.filter((op) => op.endsWith('DescribeAlarmHistory')).length;
        const later = [await signal.observe(ctx), await signal.observe(ctx)];
        expect(historyCalls).to.be.greaterThan(0);
        expect(recorder.operations.filter((op) => op.endsWith('DescribeAlarmHistory'))).to.have.length(historyCalls);
        expect([first, ...later].map((o) => o.detail?.sinceSource)).to.deep.equal(['state-updated', 'state-updated', 'state-updated']);
        expect(later[1]!.since?.getTime()).to.equal(first.since?.getTime());
      } finally {
        await recorder.stop();
      }
    });

    it('throws naming the alarm and Region when the alarm does not exist', async function () {
      signal = createCloudWatchAlarmSignal('ghost', { alarm: 'no-such-alarm', region: REGION }, () => target);
      let error: unknown;
      await signal.observe(ctx).catch((e: unknown) => { error = e; });
      expect(String(error)).to.include(`alarm no-such-alarm not found in ${REGION}`);
    });

    it('refuses settings with unknown keys or a bad interval', function () {
      expect(() => createCloudWatchAlarmSignal('x', { alarm: 'a', region: REGION, interval: 'fast' }, () => target)).to.throw(/duration/);
      expect(() => createCloudWatchAlarmSignal('x', { alarm: 'a', region: REGION, alarmName: 'a' } as never, () => target)).to.throw(/alarmName/);
    });
  });

  describe('publishMeasurements', function () {
    const dimensions = [{ Name: 'Scenario', Value: 'warm-standby' }, { Name: 'Environment', Value: 'lab' }];

    it('puts each measurement taken, and DrillPassed, in namespace Firedrill with both dimensions', async function () {
      const measurements: Measurements = {
        detectionMs: exactMeasurement(4_200),
        decisionMs: exactMeasurement(800),
        failoverMs: null,
        rtoMs: { value: 9_000, lower: 8_500, upper: 9_500 },
        rpoMs: exactMeasurement(0),
        lostWrites: exactMeasurement(3),
        availability: exactMeasurement(0.75),
      };
      const sent = await publishMeasurements(target, { scenario: 'warm-standby', environment: 'lab', measurements, passed: false });
      expect(sent).to.have.members(['DetectionTime', 'DecisionTime', 'RTO', 'RPO', 'LostWrites', 'Availability', 'DrillPassed']);

      const listed = await cw.send(new ListMetricsCommand({ Namespace: METRIC_NAMESPACE, Dimensions: dimensions }));
      expect(listed.Metrics?.map((m) => m.MetricName)).to.have.members(sent);
      for (const metric of listed.Metrics ?? []) expect(metric.Dimensions).to.deep.include.members(dimensions);

      const read = async (metric: string) => {
        const stats = await cw.send(new GetMetricStatisticsCommand({
          Namespace: METRIC_NAMESPACE, MetricName: metric, Dimensions: dimensions,
          StartTime: new Date(Date.now() - 600_000), EndTime: new Date(Date.now() + 600_000), Period: 60, Statistics: ['Maximum'],
        }));
        return stats.Datapoints?.map((d) => [d.Maximum, d.Unit]);
      };
      expect(await read('RTO')).to.deep.equal([[9_000, 'Milliseconds']]);
      expect(await read('Availability')).to.deep.equal([[75, 'Percent']]);
      expect(await read('LostWrites')).to.deep.equal([[3, 'Count']]);
      expect(await read('DrillPassed')).to.deep.equal([[0, 'Count']]);
      expect(await read('FailoverTime')).to.deep.equal([]);
    });
  });
});

/** A loopback proxy in front of moto that records each call's operation (the X-Amz-Target header). */
async function startRecordingProxy(upstream: string): Promise<{ endpoint: string; operations: string[]; stop(): Promise<void> }> {
  const operations: string[] = [];
  const up = new URL(upstream);
  const server = createServer((req, res) => {
    operations.push(String(req.headers['x-amz-target'] ?? req.url));
    const forward = request({ host: up.hostname, port: up.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    operations,
    stop: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
