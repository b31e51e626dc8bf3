/**
 * Issue 20: warm standby on AWS services, run as a real drill (`firedrill run
 * drills/aws-warm-standby.yaml`) against moto, in the test world of aws-drill-world.ts. What
 * moto lacks is played beside it: the global-database failover (aurora-global-stand-in.ts, the
 * environment's `rds` endpoint; it takes 1 s), S3 replication (replicator.ts, 300 ms behind; the
 * outage stops it), the lag metric AWS would publish (put with PutMetricData), and the pinning
 * function's effect (moto echoes the payload). The front door serves from the recovery Region
 * once the global cluster's writer is there.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateFunctionCommand } from '@aws-sdk/client-lambda';
import { CreateDBClusterCommand, CreateGlobalClusterCommand, type RDSClient } from '@aws-sdk/client-rds';
import { CopyObjectCommand, CreateBucketCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { cloudWatchClient, emulatorTarget, lambdaClient, rdsClient, s3Client } from '../../src/aws/clients.js';
import { startMoto, type Emulator } from '../../lab/emulator.js';
import { EXIT } from '../../src/runtime/errors.js';
import { readGlobalCluster, regionOfArn, writerArnOf } from '../../src/aws/aurora-global-clusters.js';
import { auroraGlobalStandIn } from '../support/aurora-global-stand-in.js';
import { startAwsDrillWorld, WORLD, type AwsDrillWorld } from '../support/aws-drill-world.js';
import { startAwsStandIn, type AwsStandIn } from '../support/aws-stand-in.js';
import { startReplicator, type Replicator } from '../support/replicator.js';

const projectDir = fileURLToPath(new URL('../..', import.meta.url));
const DRILL_FILE = join(projectDir, 'drills/aws-warm-standby.yaml');
const FAILOVER_MS = 1_000;
const LAG_BEFORE_FAULT_MS = 420;
const EMPTY_ZIP = Buffer.concat([Buffer.from('PK\x05\x06'), Buffer.alloc(18)]);

describe('warm standby on AWS (drills/aws-warm-standby.yaml on moto)', function () {
  let moto: Emulator;
  let standIn: AwsStandIn;
  let world: AwsDrillWorld;
  let rds: RDSClient;
  let s3: Record<string, S3Client>;
  let replicator: Replicator;
  const globalCluster = auroraGlobalStandIn();
  const ctx = new AbortController().signal;
  const writerRegion = async () => regionOfArn(writerArnOf(await readGlobalCluster(rds, { globalClusterIdentifier: 'orders', region: WORLD.recovery }, ctx)) ?? '');

  before(async function () {
    moto = await startMoto({ projectDir });
    const standInPlusMoto = (region: string) => emulatorTarget(standIn.endpoint, region);
    standIn = await startAwsStandIn({ upstream: moto.endpoint, answer: globalCluster.answer, rewrite: globalCluster.rewrite });
    void standIn.nextRequest('FailoverGlobalCluster').then(() => { setTimeout(() => globalCluster.release(), FAILOVER_MS); });
    rds = rdsClient(standInPlusMoto(WORLD.recovery));
    const east = rdsClient(standInPlusMoto(WORLD.primary));
    await east.send(new CreateGlobalClusterCommand({ GlobalClusterIdentifier: 'orders', Engine: 'aurora-postgresql' }));
    await east.send(new CreateDBClusterCommand({ DBClusterIdentifier: 'orders-primary', Engine: 'aurora-postgresql', GlobalClusterIdentifier: 'orders', MasterUsername: 'app', MasterUserPassword: 'not-a-secret' }));
    await rds.send(new CreateDBClusterCommand({ DBClusterIdentifier: 'orders-secondary', Engine: 'aurora-postgresql', GlobalClusterIdentifier: 'orders' }));
    east.destroy();

    s3 = { [WORLD.primary]: s3Client(emulatorTarget(moto.endpoint, WORLD.primary)), [WORLD.recovery]: s3Client(emulatorTarget(moto.endpoint, WORLD.recovery)) };
    await s3[WORLD.primary]!.send(new CreateBucketCommand({ Bucket: 'orders-primary' }));
    await s3[WORLD.recovery]!.send(new CreateBucketCommand({ Bucket: 'orders-replica', CreateBucketConfiguration: { LocationConstraint: WORLD.recovery } }));
    replicator = startReplicator({
      lagMs: 300,
      intervalMs: 25,
      list: async () => ((await s3[WORLD.primary]!.send(new ListObjectsV2Command({ Bucket: 'orders-primary' }))).Contents ?? []).map((o) => o.Key!),
      copy: async (key) => { await s3[WORLD.recovery]!.send(new CopyObjectCommand({ Bucket: 'orders-replica', Key: key, CopySource: `orders-primary/${key}` })); },
    });

    const cw = cloudWatchClient(emulatorTarget(moto.endpoint, WORLD.primary));
    await cw.send(new PutMetricDataCommand({ Namespace: 'AWS/RDS', MetricData: [{ MetricName: 'AuroraGlobalDBReplicationLag', Dimensions: [{ Name: 'DBClusterIdentifier', Value: 'orders-primary' }], Value: LAG_BEFORE_FAULT_MS, Unit: 'Milliseconds' }] }));
    cw.destroy();

    expect((await fetch(`${moto.endpoint}/moto-api/config`, { method: 'POST', body: JSON.stringify({ lambda: { use_docker: false } }) })).ok).to.equal(true);
    const iam = new IAMClient({ region: WORLD.primary, endpoint: moto.endpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
    const role = await iam.send(new CreateRoleCommand({ RoleName: 'pinner', AssumeRolePolicyDocument: '{}' }));
    iam.destroy();
    const lambda = lambdaClient(emulatorTarget(moto.endpoint, WORLD.recovery));
    await lambda.send(new CreateFunctionCommand({ FunctionName: 'pin-primary', Runtime: 'nodejs20.x', Role: role.Role!.Arn!, Handler: 'index.handler', Code: { ZipFile: EMPTY_ZIP } }));
    lambda.destroy();

    world = await startAwsDrillWorld({
      moto,
      endpoints: { rds: standIn.endpoint },
      onPrimaryDown: (down) => { if (down) replicator.pause(); },
      async serving(primaryDown) {
        if (!primaryDown) return WORLD.primary;
        return (await writerRegion()) === WORLD.recovery ? WORLD.recovery : undefined;
      },
    });
  });

  after(async function () {
    await replicator?.stop();
    rds?.destroy();
    for (const client of Object.values(s3 ?? {})) client.destroy();
    await world?.stop();
    await standIn?.stop();
    await moto?.stop();
  });

  it('fails the global database over, pins with the Lambda, and measures RPO from the object canary and the lag before the fault', async function () {
    const { code, text, result, timeline } = await world.runDrill(DRILL_FILE);
    expect(code, text).to.equal(EXIT.passed);

    const lag = timeline.find((e) => e.kind === 'signal' && e.signal === 'replication-lag');
    expect(lag.state).to.equal('ok');
    expect(lag.detail).to.include({ value: LAG_BEFORE_FAULT_MS });

    const writes = timeline.filter((e) => e.kind === 'canary' && e.action === 'write' && e.ok).map((e) => e.seq);
    const copied = new Set([...replicator.copied].map((key) => Number(key.split('/').at(-1))));
    const expectedLost = writes.filter((seq: number) => !copied.has(seq)).length;
    expect(expectedLost, 'writes the outage kept from the replica').to.be.greaterThan(0);
    expect(result.measurements.lostWrites.value).to.equal(expectedLost);
    expect(result.measurements.rpoMs.value).to.be.greaterThan(0);

    const pin = timeline.find((e) => e.kind === 'fault' && e.fault === 'pin-primary' && e.action === 'injected');
    expect(pin.detail.answer).to.deep.equal({ record: 'app.example.com', failover: 'PRIMARY', value: 'recovery' });
    // The bounds hold the truth, and the truth holds the 1 s failover.
    expect(result.measurements.rtoMs.upper).to.be.at.least(FAILOVER_MS);
    // Reverted: the writer is back in the primary Region (a switchover, the failback).
    expect(await writerRegion()).to.equal(WORLD.primary);
  });

  it('prints with iam-policy a policy that allows each AWS call the drills made, on its resource, and grants nothing else', async function () {
    expect(await world.iamPolicyVersusCalls(DRILL_FILE)).to.deep.equal({ denied: [], grantedNotCalled: [], calledNotGranted: [] });
  });
});
