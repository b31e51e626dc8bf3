/*
 * Issue 20, item 4: the steady-state preconditions of the reference designs — what must already
 * be in the recovery Region before a drill may start — against moto 5.2.5 through the real SDK
 * clients (ECR, CloudFormation, S3). Gaps observed in moto (for the README's emulator notes):
 * - ECR: PutImage and DescribeImages work per Region; nothing replicates, so the test world
 *   puts the image into the recovery Region's repository itself.
 * - CloudFormation StackSets: instances are always CURRENT / SUCCEEDED. An OUTDATED instance
 *   (an update that failed there) is played by a stand-in that rewrites DescribeStackInstance's
 *   answer in the Query protocol. DescribeStackInstance of a Region the StackSet has no
 *   instance in answers a 500 (HTML); the stand-in answers StackInstanceNotFoundException, as
 *   CloudFormation does. A StackSet that does not exist is moto's own StackSetNotFoundException.
 * - S3: GetBucketReplication returns the stored configuration, and
 *   ReplicationConfigurationNotFoundError for a bucket without one, as S3 does.
 */
import { fileURLToPath } from 'node:url';
import { CreateStackInstancesCommand, CreateStackSetCommand, type CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CreateRepositoryCommand, PutImageCommand, type ECRClient } from '@aws-sdk/client-ecr';
import { CreateBucketCommand, PutBucketReplicationCommand, PutBucketVersioningCommand, type S3Client } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { cloudFormationClient, ecrClient, emulatorTarget, s3Client } from '../../src/aws/clients.js';
import type { Signal } from '../../src/signals/signal.js';
import { createEcrImageSignal, ecrImageSignalSettings, type EcrImageSignalSettings } from '../../src/signals/ecr-image.js';
import { createS3BucketReplicationSignal, type S3BucketReplicationSignalSettings } from '../../src/signals/s3-bucket-replication.js';
import { createStackSetInstanceSignal, type StackSetInstanceSignalSettings } from '../../src/signals/stack-set-instance.js';
import { startMoto, type Emulator } from '../../lab/emulator.js';
import { startAwsStandIn, type AwsStandIn } from '../support/aws-stand-in.js';
import { failureOf } from '../support/failure-of.js';
import { always, forwardAll, startHttpFaultProxy, type HttpFaultProxy } from '../support/http-fault-proxy.js';

const projectDir = fileURLToPath(new URL('../..', import.meta.url));
const PRIMARY = 'us-east-1';
const RECOVERY = 'us-west-2';
const ACCOUNT = '123456789012';
const ctx = { signal: new AbortController().signal };
const MANIFEST = JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.v2+json', config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: 7023, digest: `sha256:${'a'.repeat(64)}` }, layers: [] });

/** Observes once and closes the signal. */
async function observeOnce(signal: Signal) {
  try {
    return await signal.observe(ctx);
  } finally {
    await signal.close();
  }
}

describe('steady-state preconditions on moto', function () {
  let moto: Emulator;

  before(async function () {
    moto = await startMoto({ projectDir });
  });

  after(async function () {
    await moto?.stop();
  });

  describe('ecr-image: the application image in the recovery Region', function () {
    let ecr: ECRClient;
    let pushedDigest: string;
    const signal = (settings: Partial<EcrImageSignalSettings>, endpoint = moto.endpoint) =>
      createEcrImageSignal('recovery-image', { repositoryName: 'app', region: RECOVERY, ...settings }, () => emulatorTarget(endpoint, RECOVERY));

    before(async function () {
      ecr = ecrClient(emulatorTarget(moto.endpoint, RECOVERY));
      await ecr.send(new CreateRepositoryCommand({ repositoryName: 'app' }));
      // What ECR replication would have done: the primary's image, in the recovery Region.
      const pushed = await ecr.send(new PutImageCommand({ repositoryName: 'app', imageManifest: MANIFEST, imageTag: 'v42' }));
      pushedDigest = pushed.image!.imageId!.imageDigest!;
    });

    after(function () { ecr?.destroy(); });

    it('is present, by tag or by digest, since ECR says it was pushed', async function () {
      const byTag = await observeOnce(signal({ imageTag: 'v42' }));
      expect(byTag.state).to.equal('present');
      expect(byTag.detail).to.deep.include({ image: `app:v42 in ${RECOVERY}`, imageDigest: pushedDigest, imageTags: ['v42'] });
      expect(byTag.since, 'imagePushedAt').to.be.instanceOf(Date);
      expect(Math.abs(byTag.since!.getTime() - Date.now())).to.be.below(60_000);
      expect((await observeOnce(signal({ imageDigest: pushedDigest }))).state).to.equal('present');
    });

    it('is missing when the tag was never replicated, or the repository is not there, and says which', async function () {
      const noTag = await observeOnce(signal({ imageTag: 'v43' }));
      expect(noTag.state).to.equal('missing');
      expect(noTag.detail?.reason).to.equal(`ECR has no image app:v43 in ${RECOVERY}`);
      const noRepository = await observeOnce(signal({ repositoryName: 'not-replicated', imageTag: 'v42' }));
      expect(noRepository.state).to.equal('missing');
      expect(noRepository.detail?.reason).to.equal(`ECR has no repository not-replicated in ${RECOVERY}`);
    });

    it('refuses settings naming both a tag and a digest, or neither', function () {
      for (const settings of [{ repositoryName: 'app', region: RECOVERY }, { repositoryName: 'app', region: RECOVERY, imageTag: 'v42', imageDigest: pushedDigest }]) {
        const parsed = ecrImageSignalSettings.safeParse(settings);
        expect(parsed.success).to.equal(false);
        expect(parsed.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).to.deep.equal(['imageTag: expected exactly one of imageTag and imageDigest']);
      }
    });

    describe('through a fault proxy', function () {
      let proxy: HttpFaultProxy;
      before(async function () { proxy = await startHttpFaultProxy({ upstream: moto.endpoint }); });
      after(async function () { await proxy?.stop(); });

      it('rides out throttling, and fails the poll (never "present") when ECR throttles every attempt', async function () {
        let throttled = 0;
        proxy.setPlan((r) => (r.operation === 'DescribeImages' && throttled++ < 2 ? 'throttle' : undefined));
        expect((await observeOnce(signal({ imageTag: 'v42' }, proxy.endpoint))).state).to.equal('present');
        expect(proxy.requests.map((r) => r.answeredBy)).to.deep.equal(['proxy', 'proxy', 'upstream']);
        proxy.setPlan(always('throttle'));
        const error = await failureOf(observeOnce(signal({ imageTag: 'v42' }, proxy.endpoint)));
        proxy.setPlan(forwardAll);
        expect(error.name).to.equal('ThrottlingException');
      });
    });
  });

  describe('stack-set-instance: the StackSet instance in the recovery Region is current', function () {
    let cfn: CloudFormationClient;
    let standIn: AwsStandIn;
    /** Instances whose last StackSet operation failed, as `account/region`: the stand-in says OUTDATED for them. */
    const failedThere = new Set<string>();
    const signal = (settings: Partial<StackSetInstanceSignalSettings>) => createStackSetInstanceSignal('stack-instance', {
      stackSetName: 'pilot-light', region: PRIMARY, instance: { account: ACCOUNT, region: RECOVERY }, ...settings,
    }, () => emulatorTarget(standIn.endpoint, PRIMARY));

    before(async function () {
      cfn = cloudFormationClient(emulatorTarget(moto.endpoint, PRIMARY));
      const template = JSON.stringify({ Resources: { Queue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'pilot-light-jobs' } } } });
      await cfn.send(new CreateStackSetCommand({ StackSetName: 'pilot-light', TemplateBody: template }));
      await cfn.send(new CreateStackInstancesCommand({ StackSetName: 'pilot-light', Accounts: [ACCOUNT], Regions: [PRIMARY, RECOVERY] }));
      // moto's instances are always CURRENT: an update that failed in a Region leaves AWS's OUTDATED.
      standIn = await startAwsStandIn({
        upstream: moto.endpoint,
        answer(request) {
          const params = new URLSearchParams(request.body);
          if (request.operation !== 'DescribeStackInstance' || params.get('StackSetName') !== 'pilot-light' || [PRIMARY, RECOVERY].includes(params.get('StackInstanceRegion') ?? '')) return undefined;
          return {
            status: 404,
            contentType: 'text/xml',
            body: `<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type><Code>StackInstanceNotFoundException</Code><Message>Stack instance ${params.get('StackInstanceAccount')} ${params.get('StackInstanceRegion')} not found in StackSet pilot-light</Message></Error><RequestId>stand-in</RequestId></ErrorResponse>`,
          };
        },
        rewrite(request, body) {
          const params = new URLSearchParams(request.body);
          if (request.operation !== 'DescribeStackInstance' || !failedThere.has(`${params.get('StackInstanceAccount')}/${params.get('StackInstanceRegion')}`)) return body;
          return body.replace('<Status>CURRENT</Status>', '<Status>OUTDATED</Status><StatusReason>ResourceLogicalId:Queue, ResourceType:AWS::SQS::Queue, ResourceStatusReason:Resource update cancelled.</StatusReason>')
            .replace('<DetailedStatus>SUCCEEDED</DetailedStatus>', '<DetailedStatus>FAILED</DetailedStatus>');
        },
      });
    });

    after(async function () {
      cfn?.destroy();
      await standIn?.stop();
    });

    it('reads CURRENT for the recovery Region\'s instance, with its detailed status and stack', async function () {
      const seen = await observeOnce(signal({}));
      expect(seen.state).to.equal('CURRENT');
      expect(seen.detail).to.include({ instance: `StackSet pilot-light's instance in ${ACCOUNT} ${RECOVERY}`, detailedStatus: 'SUCCEEDED' });
      expect(seen.detail?.stackId).to.match(new RegExp(`^arn:aws:cloudformation:${RECOVERY}:${ACCOUNT}:stack/`));
      expect(seen.detail).not.to.have.property('reason');
    });

    it('reads OUTDATED, with CloudFormation\'s reason, when the last update failed there', async function () {
      failedThere.add(`${ACCOUNT}/${RECOVERY}`);
      try {
        const seen = await observeOnce(signal({}));
        expect(seen.state).to.equal('OUTDATED');
        expect(seen.detail?.reason).to.equal(`StackSet pilot-light's instance in ${ACCOUNT} ${RECOVERY} is OUTDATED (FAILED): ResourceLogicalId:Queue, ResourceType:AWS::SQS::Queue, ResourceStatusReason:Resource update cancelled.`);
        expect((await observeOnce(signal({ instance: { account: ACCOUNT, region: PRIMARY } }))).state, 'the primary\'s instance').to.equal('CURRENT');
      } finally {
        failedThere.clear();
      }
    });

    it('is missing for a Region the StackSet has no instance in, and for a StackSet that does not exist', async function () {
      const noInstance = await observeOnce(signal({ instance: { account: ACCOUNT, region: 'eu-west-1' } }));
      expect(noInstance.state).to.equal('missing');
      expect(noInstance.detail?.reason).to.equal(`StackSet pilot-light's instance in ${ACCOUNT} eu-west-1 does not exist (StackInstanceNotFoundException)`);
      const noStackSet = await observeOnce(signal({ stackSetName: 'never-deployed' }));
      expect(noStackSet.state).to.equal('missing');
      expect(noStackSet.detail?.reason).to.equal(`StackSet never-deployed's instance in ${ACCOUNT} ${RECOVERY} does not exist (StackSetNotFoundException)`);
    });
  });

  describe('s3-bucket-replication: replication configured on the primary bucket', function () {
    let s3: S3Client;
    const signal = (settings: Partial<S3BucketReplicationSignalSettings>) =>
      createS3BucketReplicationSignal('bucket-replication', { bucket: 'orders-primary', region: PRIMARY, ...settings }, () => emulatorTarget(moto.endpoint, PRIMARY));

    before(async function () {
      s3 = s3Client(emulatorTarget(moto.endpoint, PRIMARY));
      for (const bucket of ['orders-primary', 'orders-unreplicated', 'orders-paused']) {
        await s3.send(new CreateBucketCommand({ Bucket: bucket }));
        await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }));
      }
      const rule = (status: 'Enabled' | 'Disabled') => ({
        ReplicationConfiguration: {
          Role: `arn:aws:iam::${ACCOUNT}:role/s3-replication`,
          Rules: [{ ID: 'to-recovery', Priority: 1, Status: status, Filter: { Prefix: '' }, DeleteMarkerReplication: { Status: 'Disabled' as const }, Destination: { Bucket: 'arn:aws:s3:::orders-replica' } }],
        },
      });
      await s3.send(new PutBucketReplicationCommand({ Bucket: 'orders-primary', ...rule('Enabled') }));
      await s3.send(new PutBucketReplicationCommand({ Bucket: 'orders-paused', ...rule('Disabled') }));
    });

    after(function () { s3?.destroy(); });

    it('is configured with an enabled rule to the replica bucket, by name or ARN', async function () {
      const seen = await observeOnce(signal({ destinationBucket: 'orders-replica' }));
      expect(seen.state).to.equal('configured');
      expect(seen.detail).to.deep.include({ enabledRules: [{ id: 'to-recovery', destination: 'orders-replica' }] });
      expect((await observeOnce(signal({ destinationBucket: 'arn:aws:s3:::orders-replica' }))).state).to.equal('configured');
      expect((await observeOnce(signal({}))).state, 'any destination').to.equal('configured');
    });

    it('is not-configured without replication, with every rule disabled, or to another bucket, and says which', async function () {
      const none = await observeOnce(signal({ bucket: 'orders-unreplicated' }));
      expect([none.state, none.detail?.reason]).to.deep.equal(['not-configured', `bucket orders-unreplicated (${PRIMARY}) has no replication configuration`]);
      const disabled = await observeOnce(signal({ bucket: 'orders-paused' }));
      expect([disabled.state, disabled.detail?.reason]).to.deep.equal(['not-configured', `bucket orders-paused (${PRIMARY}) has 1 replication rule(s), none enabled`]);
      const elsewhere = await observeOnce(signal({ destinationBucket: 'orders-dr' }));
      expect([elsewhere.state, elsewhere.detail?.reason]).to.deep.equal(['not-configured', `no enabled replication rule of bucket orders-primary (${PRIMARY}) copies to orders-dr (enabled rules copy to orders-replica)`]);
    });

    it('fails the poll for a bucket that does not exist (never "configured")', async function () {
      const error = await failureOf(observeOnce(signal({ bucket: 'no-such-bucket' })));
      expect(error.name).to.equal('NoSuchBucket');
    });
  });
});
