/*
 * The S3-replication and DynamoDB-global-table RPO canaries against moto 5.2.5, through the
 * real @aws-sdk/client-s3 and client-dynamodb. moto stores a bucket's replication configuration
 * but never copies an object, and accepts a global table's ReplicaUpdates but puts nothing in
 * the other Region: the test world's replicator (replicator.ts) copies with a lag it controls,
 * and pausing it plays the Region outage. What it copied is the ground truth.
 */
import { fileURLToPath } from 'node:url';
import { CreateTableCommand, PutItemCommand, ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CopyObjectCommand, CreateBucketCommand, GetBucketReplicationCommand, ListObjectsV2Command, PutBucketReplicationCommand, PutBucketVersioningCommand, type S3Client,
} from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { dynamoDbClient, emulatorTarget, s3Client } from '../../src/aws/clients.js';
import { startMoto, type Emulator } from '../../lab/emulator.js';
import { createClock } from '../../src/core/clock.js';
import type { CanaryEvent } from '../../src/core/timeline.js';
import type { Canary } from '../../src/probes/canary.js';
import { dynamoDbGlobalTableCanaryKind, s3ReplicationCanaryKind } from '../../src/probes/replicated-canary-kinds.js';
import type { AdapterEnv } from '../../src/runner/kinds.js';
import { forwardAll, startHttpFaultProxy, type FaultAnswer, type HttpFaultProxy, type ProxiedRequest } from '../support/http-fault-proxy.js';
import { startReplicator, type Replicator } from '../support/replicator.js';

const projectDir = fileURLToPath(new URL('../..', import.meta.url));
const PRIMARY = 'us-east-1';
const RECOVERY = 'us-west-2';

/** What each store gives the shared test: a canary on it, and a replicator between its Regions. */
interface World {
  title: string;
  canary(name: string, overrides?: Record<string, unknown>): Canary;
  replicator(): Replicator;
  /** The seq of a record the replicator copied, from its key. */
  seqOf(key: string): number;
  /** Settings whose replica side does not exist, and what the read error must name. */
  missingReplica: { overrides: Record<string, unknown>; named: string };
}

describe('replicated-store RPO canaries on moto', function () {
  let moto: Emulator;
  let env: AdapterEnv;
  const s3: Record<string, S3Client> = {};
  const ddb: Record<string, DynamoDBClient> = {};

  before(async function () {
    moto = await startMoto({ projectDir });
    env = { environment: { name: 'emu', vars: {} }, awsTarget: (region) => emulatorTarget(moto.endpoint, region) };
    for (const region of [PRIMARY, RECOVERY]) {
      s3[region] = s3Client(env.awsTarget(region));
      ddb[region] = dynamoDbClient(env.awsTarget(region));
    }
    for (const [bucket, region] of [['orders-primary', PRIMARY], ['orders-replica', RECOVERY]] as const) {
      await s3[region]!.send(new CreateBucketCommand({ Bucket: bucket, ...(region === PRIMARY ? {} : { CreateBucketConfiguration: { LocationConstraint: region } }) }));
      await s3[region]!.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
    }
    await s3[PRIMARY]!.send(new PutBucketReplicationCommand({
      Bucket: 'orders-primary',
      ReplicationConfiguration: { Role: 'arn:aws:iam::123456789012:role/replication', Rules: [{ ID: 'all', Status: 'Enabled', Priority: 1, Filter: { Prefix: '' }, DeleteMarkerReplication: { Status: 'Disabled' }, Destination: { Bucket: 'arn:aws:s3:::orders-replica' } }] },
    }));
    for (const region of [PRIMARY, RECOVERY]) {
      await ddb[region]!.send(new CreateTableCommand({
        TableName: 'orders', BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'N' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      }));
    }
  });

  after(async function () {
    for (const client of [...Object.values(s3), ...Object.values(ddb)]) client.destroy();
    await moto?.stop();
  });

  it('moto keeps the bucket\'s replication configuration (and does nothing with it)', async function () {
    const config = await s3[PRIMARY]!.send(new GetBucketReplicationCommand({ Bucket: 'orders-primary' }));
    expect(config.ReplicationConfiguration?.Rules?.[0]?.Destination?.Bucket).to.equal('arn:aws:s3:::orders-replica');
  });

  const worlds: World[] = [
    {
      title: 's3-replication',
      canary: (name, overrides = {}) => s3ReplicationCanaryKind.create(name, {
        primary: { bucket: 'orders-primary', region: PRIMARY }, replica: { bucket: 'orders-replica', region: RECOVERY }, interval: '50ms', ...overrides,
      }, env),
      replicator: () => startReplicator({
        lagMs: 250,
        intervalMs: 25,
        list: async () => ((await s3[PRIMARY]!.send(new ListObjectsV2Command({ Bucket: 'orders-primary', Prefix: 'firedrill-canary/' }))).Contents ?? []).map((o) => o.Key!),
        copy: async (key) => { await s3[RECOVERY]!.send(new CopyObjectCommand({ Bucket: 'orders-replica', Key: key, CopySource: `orders-primary/${key}` })); },
      }),
      seqOf: (key) => Number(key.split('/').at(-1)),
      missingReplica: { overrides: { replica: { bucket: 'no-such-bucket', region: RECOVERY } }, named: 's3://no-such-bucket/' },
    },
    {
      title: 'dynamodb-global-table',
      canary: (name, overrides = {}) => dynamoDbGlobalTableCanaryKind.create(name, {
        table: 'orders', primary: { region: PRIMARY }, replica: { region: RECOVERY }, interval: '50ms', ...overrides,
      }, env),
      replicator: () => startReplicator({
        lagMs: 250,
        intervalMs: 25,
        list: async () => ((await ddb[PRIMARY]!.send(new ScanCommand({ TableName: 'orders' }))).Items ?? []).map((item) => JSON.stringify(item)),
        copy: async (key) => { await ddb[RECOVERY]!.send(new PutItemCommand({ TableName: 'orders', Item: JSON.parse(key) })); },
      }),
      seqOf: (key) => Number((JSON.parse(key) as { sk: { N: string } }).sk.N),
      missingReplica: { overrides: { replica: { region: 'eu-west-1' } }, named: 'dynamodb:orders (eu-west-1)' },
    },
  ];

  for (const world of worlds) {
    describe(world.title, function () {
      it('counts the acknowledged writes the replica lacks after replication stopped, and finds the newest survivor', async function () {
        const clock = createClock();
        const writes: CanaryEvent[] = [];
        let onWrite = () => {};
        const canary = world.canary(`${world.title}-rpo`);
        const replicator = world.replicator();
        const ackedAtLeast = (count: number) => new Promise<void>((resolve) => {
          onWrite = () => { if (writes.filter((w) => w.ok).length >= count) resolve(); };
          onWrite();
        });
        try {
          canary.start({ clock, emit: (event) => { writes.push(event); onWrite(); } });
          await replicator.copiedAtLeast(5);
          replicator.pause();
          const copiedAtFault = new Set([...replicator.copied].map(world.seqOf));
          const ackedAtFault = writes.filter((w) => w.ok).length;
          await ackedAtLeast(ackedAtFault + 5);
          await canary.stop();
          const read = await canary.readRecovered();

          const acked = writes.filter((w) => w.ok).map((w) => w.seq!);
          const expectedLost = acked.filter((seq) => !copiedAtFault.has(seq)).length;
          expect(read.ok, read.error).to.equal(true);
          expect(read.lost).to.equal(expectedLost);
          expect(read.lost).to.be.at.least(5);
          expect(read.newestSeq).to.equal(Math.max(...copiedAtFault));
          const survivor = writes.find((w) => w.seq === read.newestSeq)!;
          expect(read.newestCommitT).to.equal(survivor.t);
        } finally {
          await canary.stop();
          await replicator.stop();
        }
      });

      it('a replica it cannot read is a failed read naming it, not zero loss', async function () {
        const canary = world.canary(`${world.title}-missing`, world.missingReplica.overrides);
        const writes: CanaryEvent[] = [];
        let wrote!: () => void;
        const first = new Promise<void>((resolve) => { wrote = resolve; });
        canary.start({ clock: createClock(), emit: (event) => { writes.push(event); if (event.ok) wrote(); } });
        await first;
        await canary.stop();
        const read = await canary.readRecovered();
        expect(read.ok).to.equal(false);
        expect(read.error).to.include(world.missingReplica.named);
        expect(read.lost).to.equal(undefined);
      });
    });
  }

  describe('through a fault proxy in front of the emulator', function () {
    let proxy: HttpFaultProxy;
    let viaProxy: AdapterEnv;
    before(async function () {
      proxy = await startHttpFaultProxy({ upstream: moto.endpoint });
      viaProxy = { environment: env.environment, awsTarget: (region) => emulatorTarget(proxy.endpoint, region) };
    });
    after(async function () { await proxy?.stop(); });

    const cases: { title: string; canary: () => Canary; isWrite: (r: ProxiedRequest) => boolean; answer: FaultAnswer }[] = [
      {
        title: 's3-replication (503 Slow Down)',
        canary: () => s3ReplicationCanaryKind.create('s3-proxied', { primary: { bucket: 'orders-primary', region: PRIMARY }, replica: { bucket: 'orders-replica', region: RECOVERY }, interval: '50ms' }, viaProxy),
        isWrite: (r) => r.service === 's3' && r.method === 'PUT',
        answer: 'unavailable',
      },
      {
        title: 'dynamodb-global-table (throttling)',
        canary: () => dynamoDbGlobalTableCanaryKind.create('ddb-proxied', { table: 'orders', primary: { region: PRIMARY }, replica: { region: RECOVERY }, interval: '50ms' }, viaProxy),
        isWrite: (r) => r.operation === 'PutItem',
        answer: 'throttle',
      },
    ];
    for (const c of cases) {
      it(`${c.title}: a write the store refuses twice is retried and acknowledged; one refused every time is a failed write`, async function () {
        let refused = 0;
        proxy.setPlan((r) => (c.isWrite(r) && refused++ < 2 ? c.answer : undefined));
        const events: CanaryEvent[] = [];
        let next!: (event: CanaryEvent) => void;
        const canary = c.canary();
        canary.start({ clock: createClock(), emit: (event) => { events.push(event); next?.(event); } });
        try {
          const first = await new Promise<CanaryEvent>((resolve) => { next = resolve; });
          expect(first, JSON.stringify(first)).to.include({ action: 'write', ok: true });
          expect(refused).to.be.at.least(3); // two refusals, then the attempt that went through
          proxy.setPlan((r) => (c.isWrite(r) ? c.answer : undefined));
          const failed = await new Promise<CanaryEvent>((resolve) => { next = (event) => { if (!event.ok && !event.error?.startsWith('skipped')) resolve(event); }; });
          expect(failed.action).to.equal('write');
          expect(failed.error).to.match(/^write to /);
        } finally {
          proxy.setPlan(forwardAll);
          await canary.stop();
        }
      });
    }
  });

  it('a write to a primary bucket that is not there is a failed write naming it', async function () {
    const canary = s3ReplicationCanaryKind.create('no-primary', { primary: { bucket: 'gone-primary', region: PRIMARY }, replica: { bucket: 'orders-replica', region: RECOVERY }, interval: '50ms' }, env);
    let failed!: (event: CanaryEvent) => void;
    const firstFailure = new Promise<CanaryEvent>((resolve) => { failed = resolve; });
    canary.start({ clock: createClock(), emit: (event) => { if (!event.ok && !event.error?.startsWith('skipped')) failed(event); } });
    const event = await firstFailure;
    await canary.stop();
    expect(event.error).to.include('write to s3://gone-primary/');
    expect(event.error).to.match(/NoSuchBucket|does not exist/);
  });
});
