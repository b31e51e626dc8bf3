/*
 * RDS / Aurora adapters against moto 5.2.5 through the real @aws-sdk/client-rds. Gaps observed
 * in moto (for the README's emulator notes):
 * - FailoverDBCluster moves the writer at once; the cluster stays `available` throughout.
 * - FailoverGlobalCluster and SwitchoverGlobalCluster answer a 500 (HTML): not implemented.
 *   A stand-in in front of moto plays them in the Query protocol (see aurora-global-stand-in.ts).
 * - DescribeGlobalClusters ignores GlobalClusterIdentifier and lists every global cluster.
 * - No DescribeEvents for clusters, so no RDS-side time of a failover: `at` is bracketed by polls.
 * - PromoteReadReplicaDBCluster on a cross-Region replica cluster clears its
 *   ReplicationSourceIdentifier at once (the cluster stays `available`). PromoteReadReplica on a
 *   cross-Region replica instance leaves ReadReplicaSourceDBInstanceIdentifier in place; a
 *   stand-in drops it from DescribeDBInstances once the promotion was asked for, as RDS does
 *   when it finishes.
 */
import { fileURLToPath } from 'node:url';
import { CreateDBClusterCommand, CreateDBInstanceCommand, CreateDBInstanceReadReplicaCommand, CreateGlobalClusterCommand, DescribeDBInstancesCommand, type RDSClient } from '@aws-sdk/client-rds';
import { expect } from 'chai';
import { emulatorTarget, rdsClient, type AwsTarget } from '../../src/aws/clients.js';
import { startMoto, type Emulator } from '../../lab/emulator.js';
import { readGlobalCluster, writerArnOf } from '../../src/aws/aurora-global-clusters.js';
import { readDbCluster, writerOf } from '../../src/aws/rds-clusters.js';
import { createAuroraGlobalClusterSignal } from '../../src/signals/aurora-global-cluster.js';
import { createRdsClusterSignal } from '../../src/signals/rds-cluster.js';
import { auroraGlobalFailoverSettings, createAuroraGlobalFailover } from '../../src/steps/aurora-global-failover.js';
import { createRdsClusterFailover, rdsClusterFailoverSettings } from '../../src/steps/rds-cluster-failover.js';
import { createRdsReplicaPromotion, rdsReplicaPromotionSettings } from '../../src/steps/rds-replica-promotion.js';
import { failureOf } from '../support/failure-of.js';
import { auroraGlobalStandIn } from '../support/aurora-global-stand-in.js';
import { startAwsStandIn, type AwsStandIn } from '../support/aws-stand-in.js';
import { recordingFaultContext } from '../support/fault-context.js';
import { always, forwardAll, startHttpFaultProxy, type HttpFaultProxy } from '../support/http-fault-proxy.js';

const projectDir = fileURLToPath(new URL('../..', import.meta.url));
const PRIMARY = 'us-east-1';
const RECOVERY = 'us-west-2';
const ACCOUNT = '123456789012';
const PRIMARY_ARN = `arn:aws:rds:${PRIMARY}:${ACCOUNT}:cluster:orders-primary`;
const SECONDARY_ARN = `arn:aws:rds:${RECOVERY}:${ACCOUNT}:cluster:orders-secondary`;
const ctx = { signal: new AbortController().signal };

describe('RDS / Aurora on moto', function () {
  let moto: Emulator;
  let east: RDSClient;

  before(async function () {
    moto = await startMoto({ projectDir });
    east = rdsClient(emulatorTarget(moto.endpoint, PRIMARY));
    const west = rdsClient(emulatorTarget(moto.endpoint, RECOVERY));
    try {
      await east.send(new CreateGlobalClusterCommand({ GlobalClusterIdentifier: 'orders', Engine: 'aurora-postgresql' }));
      await east.send(new CreateDBClusterCommand({ DBClusterIdentifier: 'orders-primary', Engine: 'aurora-postgresql', GlobalClusterIdentifier: 'orders', MasterUsername: 'app', MasterUserPassword: 'not-a-secret' }));
      await west.send(new CreateDBClusterCommand({ DBClusterIdentifier: 'orders-secondary', Engine: 'aurora-postgresql', GlobalClusterIdentifier: 'orders' }));
      for (const id of ['orders-1', 'orders-2']) {
        await east.send(new CreateDBInstanceCommand({ DBInstanceIdentifier: id, DBClusterIdentifier: 'orders-primary', Engine: 'aurora-postgresql', DBInstanceClass: 'db.r6g.large' }));
      }
    } finally {
      west.destroy();
    }
  });

  after(async function () {
    east?.destroy();
    await moto?.stop();
  });

  const writer = async () => writerOf(await readDbCluster(east, { dbClusterIdentifier: 'orders-primary', region: PRIMARY }, ctx.signal));

  describe('cluster failover step', function () {
    const settings = (extra: Record<string, unknown> = {}) => rdsClusterFailoverSettings.parse({ dbClusterIdentifier: 'orders-primary', region: PRIMARY, pollInterval: '50ms', ...extra });
    const step = () => createRdsClusterFailover(() => emulatorTarget(moto.endpoint, PRIMARY));

    it('plans the failover and its revert', function () {
      expect(step().plan(settings({ targetDbInstanceIdentifier: 'orders-2' }))).to.deep.equal([
        `rds:FailoverDBCluster orders-primary (${PRIMARY}) -> orders-2, then wait up to 900000ms for it to be available with that writer`,
        `rds:FailoverDBCluster orders-primary (${PRIMARY}) -> the writer before the change, on revert`,
      ]);
    });

    it('promotes the reader, remembering the writer first, and fails back on revert', async function () {
      const s = settings();
      const { context, remembered } = recordingFaultContext(writer);
      const signal = createRdsClusterSignal('orders', { dbClusterIdentifier: 'orders-primary', region: PRIMARY }, () => emulatorTarget(moto.endpoint, PRIMARY));
      try {
        expect((await signal.observe(ctx)).detail).to.include({ writer: 'orders-1' });
        const injection = await step().inject(s, context);
        expect(remembered).to.deep.equal([{ state: { previousWriter: 'orders-1' }, resourceAtThatMoment: 'orders-1' }]);
        expect(await writer()).to.equal('orders-2');
        expect(injection.detail).to.include({ from: 'orders-1', to: 'orders-2' });
        expect(injection.at.lower).to.be.at.most(injection.at.upper);
        const seen = await signal.observe(ctx);
        expect(seen.state).to.equal('available');
        expect(seen.detail).to.include({ writer: 'orders-2' });

        let notYet: unknown;
        await step().verifyReverted(s, injection.state, context).catch((e: unknown) => { notYet = e; });
        expect(String(notYet)).to.include('is not reverted: expected writer orders-1, found status available, writer orders-2');
        await step().revert(s, injection.state, context);
        expect(await writer()).to.equal('orders-1');
        await step().verifyReverted(s, injection.state, context);
        expect(await step().revert(s, injection.state, context)).to.equal(undefined);
      } finally {
        await signal.close();
      }
    });

    it('names a cluster RDS does not know, having remembered nothing', async function () {
      const { context, remembered } = recordingFaultContext(writer);
      let error: unknown;
      await step().inject(settings({ dbClusterIdentifier: 'no-such-cluster' }), context).catch((e: unknown) => { error = e; });
      expect((error as Error).name).to.equal('DBClusterNotFoundFault');
      expect(String(error)).to.include('no-such-cluster');
      expect(remembered).to.deep.equal([]);
    });

    describe('through a fault proxy', function () {
      let proxy: HttpFaultProxy;
      before(async function () { proxy = await startHttpFaultProxy({ upstream: moto.endpoint }); });
      after(async function () { await proxy?.stop(); });
      const viaProxy = () => createRdsClusterFailover(() => emulatorTarget(proxy.endpoint, PRIMARY));

      it('rides out throttling of the failover call itself', async function () {
        const s = settings();
        const { context } = recordingFaultContext(writer);
        let throttled = 0;
        proxy.setPlan((r) => (r.operation === 'FailoverDBCluster' && throttled++ < 2 ? 'throttle' : undefined));
        const injection = await viaProxy().inject(s, context);
        expect(proxy.requests.filter((r) => r.operation === 'FailoverDBCluster').map((r) => r.answeredBy)).to.deep.equal(['proxy', 'proxy', 'upstream']);
        expect(await writer()).to.equal('orders-2');
        proxy.setPlan(forwardAll);
        await viaProxy().revert(s, injection.state, context);
        expect(await writer()).to.equal('orders-1');
      });

      it('the cluster and global-cluster signals ride out throttling, and fail when every attempt is throttled', async function () {
        const cluster = createRdsClusterSignal('orders', { dbClusterIdentifier: 'orders-primary', region: PRIMARY }, () => emulatorTarget(proxy.endpoint, PRIMARY));
        const global = createAuroraGlobalClusterSignal('writer-region', { globalClusterIdentifier: 'orders', region: PRIMARY }, () => emulatorTarget(proxy.endpoint, PRIMARY));
        try {
          for (const [signal, operation] of [[cluster, 'DescribeDBClusters'], [global, 'DescribeGlobalClusters']] as const) {
            let throttled = 0;
            proxy.setPlan((r) => (r.operation === operation && throttled++ < 2 ? 'throttle' : undefined));
            const seen = await signal.observe(ctx);
            expect(throttled, operation).to.be.at.least(3);
            expect(seen.state, operation).to.not.equal('unknown');
            proxy.setPlan(always('throttle'));
            let error: unknown;
            await signal.observe(ctx).catch((e: unknown) => { error = e; });
            expect((error as Error | undefined)?.name, operation).to.equal('Throttling');
            proxy.setPlan(forwardAll);
          }
        } finally {
          proxy.setPlan(forwardAll);
          await cluster.close();
          await global.close();
        }
      });

      it('fails without a change when RDS throttles every attempt', async function () {
        proxy.setPlan(always('throttle'));
        const { context, remembered } = recordingFaultContext(writer);
        let error: unknown;
        await viaProxy().inject(settings(), context).catch((e: unknown) => { error = e; });
        proxy.setPlan(forwardAll);
        expect((error as Error).name).to.equal('Throttling');
        expect(remembered).to.deep.equal([]);
        expect(await writer()).to.equal('orders-1');
      });
    });
  });

  describe('global failover step and signal (stand-in for the missing APIs)', function () {
    let standIn: AwsStandIn;
    const world = auroraGlobalStandIn();
    const viaStandIn = (): AwsTarget => emulatorTarget(standIn.endpoint, RECOVERY);
    const step = () => createAuroraGlobalFailover(viaStandIn);
    const settings = (extra: Record<string, unknown> = {}) => auroraGlobalFailoverSettings.parse({ globalClusterIdentifier: 'orders', region: RECOVERY, targetDbClusterArn: SECONDARY_ARN, mode: 'failover', pollInterval: '50ms', ...extra });
    const globalWriter = async () => {
      const client = rdsClient(viaStandIn());
      try {
        return writerArnOf(await readGlobalCluster(client, { globalClusterIdentifier: 'orders', region: RECOVERY }, ctx.signal));
      } finally {
        client.destroy();
      }
    };

    before(async function () { standIn = await startAwsStandIn({ upstream: moto.endpoint, answer: world.answer, rewrite: world.rewrite }); });
    after(async function () { await standIn?.stop(); });
    beforeEach(function () { world.hold(); });

    it('plans the failover with data loss allowed, and the switchover back', function () {
      expect(step().plan(settings())).to.deep.equal([
        `rds:FailoverGlobalCluster AllowDataLoss orders -> writer ${SECONDARY_ARN}, then wait up to 1800000ms for it to be available`,
        'rds:SwitchoverGlobalCluster orders -> the writer before the change, on revert',
      ]);
    });

    it('moves the writer to the recovery Region, waiting out the failover, and switches back on revert', async function () {
      const s = settings();
      const signal = createAuroraGlobalClusterSignal('writer-region', { globalClusterIdentifier: 'orders', region: RECOVERY }, viaStandIn);
      try {
        expect((await signal.observe(ctx)).state).to.equal(PRIMARY);
        const { context, remembered } = recordingFaultContext(globalWriter);
        const asked = standIn.nextRequest('FailoverGlobalCluster');
        const failing = step().inject(s, context);
        const request = await asked;
        expect(new URLSearchParams(request.body).get('AllowDataLoss')).to.equal('true');
        expect(remembered).to.deep.equal([{ state: { previousWriterArn: PRIMARY_ARN }, resourceAtThatMoment: PRIMARY_ARN }]);
        const during = await signal.observe(ctx);
        expect(during.state).to.equal('no-writer');
        expect(during.detail?.failoverState).to.deep.include({ status: 'failing-over', to: SECONDARY_ARN, dataLossAllowed: true });

        const releasedT = context.clock.now();
        world.release();
        const injection = await failing;
        expect(injection.at.upper).to.be.at.least(releasedT);
        expect(injection.detail).to.include({ mode: 'failover', from: PRIMARY_ARN, to: SECONDARY_ARN });
        expect((await signal.observe(ctx)).state).to.equal(RECOVERY);

        let notYet: unknown;
        await step().verifyReverted(s, injection.state, context).catch((e: unknown) => { notYet = e; });
        expect(String(notYet)).to.include(`expected writer ${PRIMARY_ARN}`);
        await step().revert(s, injection.state, context);
        expect(standIn.requests.filter((r) => r.operation === 'SwitchoverGlobalCluster').map((r) => new URLSearchParams(r.body).get('TargetDbClusterIdentifier'))).to.deep.equal([PRIMARY_ARN]);
        expect((await signal.observe(ctx)).state).to.equal(PRIMARY);
        await step().verifyReverted(s, injection.state, context);
      } finally {
        await signal.close();
      }
    });

    it('times out naming what it saw when the failover never completes; revert still switches back', async function () {
      const s = settings({ mode: 'switchover', timeout: '400ms' });
      const { context, remembered } = recordingFaultContext(globalWriter);
      let error: unknown;
      await step().inject(s, context).catch((e: unknown) => { error = e; });
      expect(String(error)).to.include(`timed out after 400ms waiting for Aurora global cluster orders to be available with writer ${SECONDARY_ARN}; last seen: status switching-over, writer none, failover switching-over`);
      expect(remembered.map((r) => r.state)).to.deep.equal([{ previousWriterArn: PRIMARY_ARN }]);
      world.release();
      await step().revert(s, remembered[0]!.state, context);
      await step().verifyReverted(s, remembered[0]!.state, context);
      expect(await globalWriter()).to.equal(PRIMARY_ARN);
    });

    it('refuses a target that is not a member, and a target that already writes, before any change', async function () {
      const { context, remembered } = recordingFaultContext(globalWriter);
      const moves = () => standIn.requests.filter((r) => r.operation === 'FailoverGlobalCluster' || r.operation === 'SwitchoverGlobalCluster').length;
      const movesBefore = moves();
      const stranger = `arn:aws:rds:${RECOVERY}:${ACCOUNT}:cluster:someone-else`;
      let error: unknown;
      await step().inject(settings({ targetDbClusterArn: stranger }), context).catch((e: unknown) => { error = e; });
      expect(String(error)).to.include(`${stranger} is not a member of Aurora global cluster orders`);
      error = undefined;
      await step().inject(settings({ targetDbClusterArn: PRIMARY_ARN }), context).catch((e: unknown) => { error = e; });
      expect(String(error)).to.include('is already the writer of orders: nothing to fail over');
      expect(remembered).to.deep.equal([]);
      expect(moves(), 'failover or switchover calls').to.equal(movesBefore);
    });
  });
  describe('read replica promotion step', function () {
    let west: RDSClient;
    let standIn: AwsStandIn;
    /** Instances whose promotion was asked for: RDS stops naming their source when it finishes. */
    const promotedInstances = new Set<string>();
    const step = () => createRdsReplicaPromotion(() => emulatorTarget(standIn.endpoint, RECOVERY));
    const settings = (extra: Record<string, unknown>) => rdsReplicaPromotionSettings.parse({ region: RECOVERY, pollInterval: '50ms', ...extra });
    const replicaSource = async () => (await readDbCluster(west, { dbClusterIdentifier: 'reports-replica', region: RECOVERY }, ctx.signal)).ReplicationSourceIdentifier ?? null;
    /** Through the stand-in: the instance as RDS describes it once a promotion finished. */
    const instanceSource = async () => {
      const client = rdsClient(emulatorTarget(standIn.endpoint, RECOVERY));
      try {
        return (await client.send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: 'ledger-replica' }))).DBInstances![0]!.ReadReplicaSourceDBInstanceIdentifier ?? null;
      } finally {
        client.destroy();
      }
    };

    before(async function () {
      west = rdsClient(emulatorTarget(moto.endpoint, RECOVERY));
      await east.send(new CreateDBClusterCommand({ DBClusterIdentifier: 'reports', Engine: 'aurora-postgresql', MasterUsername: 'app', MasterUserPassword: 'not-a-secret' }));
      await west.send(new CreateDBClusterCommand({ DBClusterIdentifier: 'reports-replica', Engine: 'aurora-postgresql', MasterUsername: 'app', MasterUserPassword: 'not-a-secret', ReplicationSourceIdentifier: `arn:aws:rds:${PRIMARY}:${ACCOUNT}:cluster:reports` }));
      await east.send(new CreateDBInstanceCommand({ DBInstanceIdentifier: 'ledger', Engine: 'postgres', DBInstanceClass: 'db.t3.micro', AllocatedStorage: 20, MasterUsername: 'app', MasterUserPassword: 'not-a-secret' }));
      await west.send(new CreateDBInstanceReadReplicaCommand({ DBInstanceIdentifier: 'ledger-replica', SourceDBInstanceIdentifier: `arn:aws:rds:${PRIMARY}:${ACCOUNT}:db:ledger` }));
      standIn = await startAwsStandIn({
        upstream: moto.endpoint,
        rewrite(request, body) {
          const id = new URLSearchParams(request.body).get('DBInstanceIdentifier') ?? '';
          if (request.operation === 'PromoteReadReplica') promotedInstances.add(id);
          if (request.operation !== 'DescribeDBInstances' || !promotedInstances.has(id)) return body;
          return body.replace(/<ReadReplicaSourceDBInstanceIdentifier>[^<]*<\/ReadReplicaSourceDBInstanceIdentifier>/, '');
        },
      });
    });

    after(async function () {
      west?.destroy();
      await standIn?.stop();
    });

    it('plans the promotion, and says it cannot be undone', function () {
      expect(step().plan(settings({ dbClusterIdentifier: 'reports-replica' }))).to.deep.equal([
        `rds:PromoteReadReplicaDBCluster DB cluster reports-replica (${RECOVERY}), then wait up to 1800000ms for it to be available and replicate from nothing`,
        `no revert: a promotion cannot be undone; DB cluster reports-replica (${RECOVERY}) stays a standalone writer (re-create the replica to fail back)`,
      ]);
    });

    it('promotes the cross-Region replica cluster, remembering its source first; revert leaves it promoted', async function () {
      const s = settings({ dbClusterIdentifier: 'reports-replica' });
      const { context, remembered, logs } = recordingFaultContext(replicaSource);
      const sentT = context.clock.now();
      const injection = await step().inject(s, context);
      const source = `arn:aws:rds:${PRIMARY}:${ACCOUNT}:cluster:reports`;
      expect(remembered).to.deep.equal([{ state: { promotedFrom: source }, resourceAtThatMoment: source }]);
      expect(await replicaSource(), 'replicates from').to.equal(null);
      expect(standIn.requests.filter((r) => r.operation === 'PromoteReadReplicaDBCluster').map((r) => new URLSearchParams(r.body).get('DBClusterIdentifier'))).to.deep.equal(['reports-replica']);
      expect(injection.detail).to.include({ replica: `DB cluster reports-replica (${RECOVERY})`, promotedFrom: source, revert: false });
      expect(injection.at.lower).to.be.at.least(sentT);
      expect(injection.at.lower).to.be.at.most(injection.at.upper);
      await step().revert(s, injection.state, context);
      await step().verifyReverted(s, injection.state, context);
      expect(logs).to.deep.equal([`DB cluster reports-replica (${RECOVERY}) stays promoted: a promotion cannot be undone (it replicated from ${source})`]);
      expect(await replicaSource(), 'still promoted after revert').to.equal(null);
      expect(await step().evidence!(s, injection.state, context)).to.deep.equal({ replica: `DB cluster reports-replica (${RECOVERY})`, status: 'available', replicatingFrom: null, promotedFrom: source });
    });

    it('refuses a database that is no replica (already promoted), having remembered and changed nothing', async function () {
      const { context, remembered } = recordingFaultContext(replicaSource);
      const promotions = () => standIn.requests.filter((r) => r.operation.startsWith('PromoteReadReplica')).length;
      const before = promotions();
      const error = await failureOf(step().inject(settings({ dbClusterIdentifier: 'reports-replica' }), context));
      expect(error.message).to.equal(`DB cluster reports-replica (${RECOVERY}) is not a read replica (status available, replicating from nothing): nothing to promote`);
      expect(remembered).to.deep.equal([]);
      expect(promotions()).to.equal(before);
    });

    it('names a replica RDS does not know', async function () {
      const { context, remembered } = recordingFaultContext(replicaSource);
      const error = await failureOf(step().inject(settings({ dbClusterIdentifier: 'no-such-replica' }), context));
      expect(error.name).to.equal('DBClusterNotFoundFault');
      expect(remembered).to.deep.equal([]);
    });

    it('promotes a cross-Region replica instance (PromoteReadReplica), waiting until it no longer names its source', async function () {
      const source = `arn:aws:rds:${PRIMARY}:${ACCOUNT}:db:ledger`;
      expect(await instanceSource()).to.equal(source);
      const { context, remembered } = recordingFaultContext(instanceSource);
      const injection = await step().inject(settings({ dbInstanceIdentifier: 'ledger-replica' }), context);
      expect(remembered.map((r) => r.state)).to.deep.equal([{ promotedFrom: source }]);
      expect(injection.detail).to.include({ replica: `DB instance ledger-replica (${RECOVERY})`, promotedFrom: source });
      expect(standIn.requests.filter((r) => r.operation === 'PromoteReadReplica').map((r) => new URLSearchParams(r.body).get('DBInstanceIdentifier'))).to.deep.equal(['ledger-replica']);
      expect(await instanceSource()).to.equal(null);
    });

    it('times out naming what it last saw when the promotion does not finish', async function () {
      await west.send(new CreateDBInstanceReadReplicaCommand({ DBInstanceIdentifier: 'ledger-replica-2', SourceDBInstanceIdentifier: `arn:aws:rds:${PRIMARY}:${ACCOUNT}:db:ledger` }));
      // Straight to moto, which never stops naming an instance replica's source.
      const onMoto = createRdsReplicaPromotion(() => emulatorTarget(moto.endpoint, RECOVERY));
      const { context, remembered } = recordingFaultContext(async () => null);
      const error = await failureOf(onMoto.inject(settings({ dbInstanceIdentifier: 'ledger-replica-2', timeout: '300ms' }), context));
      expect(error.message).to.equal(`timed out after 300ms waiting for DB instance ledger-replica-2 (${RECOVERY}) to be available and replicate from nothing; last seen: status available, replicating from arn:aws:rds:${PRIMARY}:${ACCOUNT}:db:ledger`);
      expect(remembered.map((r) => r.state), 'on record before the change, for the journal').to.deep.equal([{ promotedFrom: `arn:aws:rds:${PRIMARY}:${ACCOUNT}:db:ledger` }]);
    });

    it('rides out throttling of the promotion call', async function () {
      await west.send(new CreateDBClusterCommand({ DBClusterIdentifier: 'reports-replica-2', Engine: 'aurora-postgresql', MasterUsername: 'app', MasterUserPassword: 'not-a-secret', ReplicationSourceIdentifier: `arn:aws:rds:${PRIMARY}:${ACCOUNT}:cluster:reports` }));
      const proxy = await startHttpFaultProxy({ upstream: moto.endpoint });
      try {
        let throttled = 0;
        proxy.setPlan((r) => (r.operation === 'PromoteReadReplicaDBCluster' && throttled++ < 2 ? 'throttle' : undefined));
        const { context } = recordingFaultContext(async () => null);
        await createRdsReplicaPromotion(() => emulatorTarget(proxy.endpoint, RECOVERY)).inject(settings({ dbClusterIdentifier: 'reports-replica-2' }), context);
        expect(proxy.requests.filter((r) => r.operation === 'PromoteReadReplicaDBCluster').map((r) => r.answeredBy)).to.deep.equal(['proxy', 'proxy', 'upstream']);
        expect((await readDbCluster(west, { dbClusterIdentifier: 'reports-replica-2', region: RECOVERY }, ctx.signal)).ReplicationSourceIdentifier ?? null).to.equal(null);
      } finally {
        await proxy.stop();
      }
    });

    it('refuses settings naming both a cluster and an instance, or neither', function () {
      for (const extra of [{}, { dbClusterIdentifier: 'a', dbInstanceIdentifier: 'b' }]) {
        const parsed = rdsReplicaPromotionSettings.safeParse({ region: RECOVERY, ...extra });
        expect(parsed.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).to.deep.equal(['dbClusterIdentifier: expected exactly one of dbClusterIdentifier and dbInstanceIdentifier']);
      }
    });
  });
});
