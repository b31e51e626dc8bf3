/*
 * The CloudWatch metric signal against moto 5.2.5 through GetMetricData. AWS publishes
 * replication-lag metrics itself (AWS/RDS AuroraGlobalDBReplicationLag, AWS/S3
 * ReplicationLatency); on moto nothing does, so the test world puts the datapoints with
 * PutMetricData in the same namespace and dimensions. moto aggregates per period correctly.
 */
import { fileURLToPath } from 'node:url';
import { PutMetricDataCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { expect } from 'chai';
import { cloudWatchClient, emulatorTarget } from '../../src/aws/clients.js';
import { startMoto, type Emulator } from '../../lab/emulator.js';
import { createCloudWatchMetricSignal, type CloudWatchMetricSettings } from '../../src/signals/cloudwatch-metric.js';
import { always, forwardAll, startHttpFaultProxy, type HttpFaultProxy } from '../support/http-fault-proxy.js';

const projectDir = fileURLToPath(new URL('../..', import.meta.url));
const REGION = 'us-west-2';
const ctx = { signal: new AbortController().signal };

describe('CloudWatch metric signal on moto', function () {
  let moto: Emulator;
  let cw: CloudWatchClient;
  let proxy: HttpFaultProxy;
  const lag = (cluster: string, extra: Partial<CloudWatchMetricSettings> = {}): CloudWatchMetricSettings => ({
    region: REGION, namespace: 'AWS/RDS', metricName: 'AuroraGlobalDBReplicationLag', dimensions: { DBClusterIdentifier: cluster }, threshold: 1000, ...extra,
  });
  const minute = (ago: number) => new Date(Math.floor(Date.now() / 60_000) * 60_000 - ago * 60_000);

  before(async function () {
    moto = await startMoto({ projectDir });
    cw = cloudWatchClient(emulatorTarget(moto.endpoint, REGION));
    proxy = await startHttpFaultProxy({ upstream: moto.endpoint });
    const put = (cluster: string, points: [Date, number][]) => cw.send(new PutMetricDataCommand({
      Namespace: 'AWS/RDS',
      MetricData: points.map(([Timestamp, Value]) => ({ MetricName: 'AuroraGlobalDBReplicationLag', Dimensions: [{ Name: 'DBClusterIdentifier', Value: cluster }], Timestamp, Value, Unit: 'Milliseconds' })),
    }));
    await put('lagging', [[minute(3), 200], [minute(2), 800], [minute(1), 2400], [minute(1), 3100]]);
    await put('healthy', [[minute(2), 90], [minute(1), 120]]);
  });

  after(async function () {
    cw?.destroy();
    await proxy?.stop();
    await moto?.stop();
  });

  it('reads the newest period\'s statistic against the threshold, timed by the datapoint', async function () {
    const signal = createCloudWatchMetricSignal('rpo-at-risk', lag('lagging'), () => emulatorTarget(moto.endpoint, REGION));
    try {
      const seen = await signal.observe(ctx);
      expect(seen.state).to.equal('breaching');
      expect(seen.since?.getTime()).to.equal(minute(1).getTime());
      expect(seen.detail).to.include({ value: 3100, stat: 'Maximum', threshold: 1000 });
    } finally {
      await signal.close();
    }
  });

  it('says ok under the threshold, and the statistic asked for', async function () {
    const healthy = createCloudWatchMetricSignal('healthy', lag('healthy'), () => emulatorTarget(moto.endpoint, REGION));
    const average = createCloudWatchMetricSignal('average', lag('lagging', { stat: 'Average', threshold: 3000 }), () => emulatorTarget(moto.endpoint, REGION));
    try {
      expect((await healthy.observe(ctx)).state).to.equal('ok');
      const seen = await average.observe(ctx);
      expect(seen.state).to.equal('ok');
      expect(seen.detail).to.include({ value: 2750 });
    } finally {
      await healthy.close();
      await average.close();
    }
  });

  it('says no-data for a metric with no datapoint in the look-back', async function () {
    const signal = createCloudWatchMetricSignal('nothing', lag('no-such-cluster'), () => emulatorTarget(moto.endpoint, REGION));
    try {
      const seen = await signal.observe(ctx);
      expect(seen.state).to.equal('no-data');
      expect(seen.since).to.equal(undefined);
    } finally {
      await signal.close();
    }
  });

  it('throws when CloudWatch throttles every attempt (the poll is unknown, never ok)', async function () {
    const signal = createCloudWatchMetricSignal('throttled', lag('lagging'), () => emulatorTarget(proxy.endpoint, REGION));
    proxy.setPlan(always('throttle'));
    try {
      let error: unknown;
      await signal.observe(ctx).catch((e: unknown) => { error = e; });
      expect((error as Error).name).to.equal('Throttling');
    } finally {
      proxy.setPlan(forwardAll);
      await signal.close();
    }
  });
});
