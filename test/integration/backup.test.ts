/*
 * The AWS Backup restore step through the real @aws-sdk/client-backup. moto 5.2.5 keeps vaults
 * (CreateBackupVault works) but has no jobs: StartRestoreJob, DescribeRestoreJob and
 * ListRecoveryPointsByBackupVault answer 404. A stand-in in front of moto plays them in the
 * REST-JSON protocol (backup-stand-in.ts); the vault itself is moto's. The same stand-in lists
 * jobs (ListBackupJobs, ListCopyJobs, ListRestoreJobs: 404 on moto) for the backup-job signal.
 */
import { fileURLToPath } from 'node:url';
import { CreateBackupVaultCommand } from '@aws-sdk/client-backup';
import { expect } from 'chai';
import { backupClient, emulatorTarget } from '../../src/aws/clients.js';
import { startMoto, type Emulator } from '../../lab/emulator.js';
import { backupRestoreSettings, createBackupRestore } from '../../src/steps/backup-restore.js';
import { createBackupJobSignal, type BackupJobSignalSettings } from '../../src/signals/backup-job.js';
import { failureOf } from '../support/failure-of.js';
import { startAwsStandIn, type AwsStandIn } from '../support/aws-stand-in.js';
import { backupStandIn } from '../support/backup-stand-in.js';
import { recordingFaultContext } from '../support/fault-context.js';
import { always, forwardAll, startHttpFaultProxy, type HttpFaultProxy } from '../support/http-fault-proxy.js';

const projectDir = fileURLToPath(new URL('../..', import.meta.url));
const RECOVERY = 'us-west-2';
const DB = 'arn:aws:rds:us-east-1:123456789012:db:orders';
const ROLE = 'arn:aws:iam::123456789012:role/backup-restore';
const VAULT = 'recovery-vault';

describe('AWS Backup restore step (moto vault, stand-in jobs)', function () {
  let moto: Emulator;
  let standIn: AwsStandIn;
  let proxy: HttpFaultProxy;
  const world = backupStandIn();
  const step = () => createBackupRestore(() => emulatorTarget(standIn.endpoint, RECOVERY));
  const settings = (extra: Record<string, unknown> = {}) => backupRestoreSettings.parse({ region: RECOVERY, backupVaultName: VAULT, resourceArn: DB, iamRoleArn: ROLE, metadata: { DBInstanceIdentifier: 'orders-restored' }, pollInterval: '50ms', ...extra });
  const ago = (ms: number) => new Date(Date.now() - ms);

  before(async function () {
    moto = await startMoto({ projectDir });
    standIn = await startAwsStandIn({ upstream: moto.endpoint, answer: world.answer });
    proxy = await startHttpFaultProxy({ upstream: standIn.endpoint });
    const backup = backupClient(emulatorTarget(standIn.endpoint, RECOVERY));
    await backup.send(new CreateBackupVaultCommand({ BackupVaultName: VAULT }));
    backup.destroy();
    world.addRecoveryPoint({ vault: VAULT, recoveryPointArn: 'arn:aws:backup:us-west-2:123456789012:recovery-point:old', resourceArn: DB, creationDate: ago(7_200_000), status: 'COMPLETED' });
    world.addRecoveryPoint({ vault: VAULT, recoveryPointArn: 'arn:aws:backup:us-west-2:123456789012:recovery-point:newest', resourceArn: DB, creationDate: ago(3_600_000), status: 'COMPLETED' });
    world.addRecoveryPoint({ vault: VAULT, recoveryPointArn: 'arn:aws:backup:us-west-2:123456789012:recovery-point:partial', resourceArn: DB, creationDate: ago(60_000), status: 'PARTIAL' });
    world.addRecoveryPoint({ vault: VAULT, recoveryPointArn: 'arn:aws:backup:us-west-2:123456789012:recovery-point:other', resourceArn: 'arn:aws:rds:us-east-1:123456789012:db:other', creationDate: ago(1_000), status: 'COMPLETED' });
  });

  after(async function () {
    await proxy?.stop();
    await standIn?.stop();
    await moto?.stop();
  });

  it('plans the look-up, the restore and says there is no undo', function () {
    expect(step().plan(settings())).to.deep.equal([
      `backup:ListRecoveryPointsByBackupVault ${VAULT} (${RECOVERY}) for ${DB}: the newest COMPLETED recovery point`,
      `backup:StartRestoreJob of that recovery point as ${ROLE}, then wait up to 14400000ms for the job to complete`,
      'no revert: the restored resource stays (AWS Backup cannot cancel a restore); it is named in the step\'s evidence',
    ]);
  });

  it('restores the newest completed recovery point and takes the restore time from the job\'s own dates', async function () {
    const { context, remembered, logs } = recordingFaultContext(async () => standIn.requests.filter((r) => r.operation === 'PUT /restore-jobs').length);
    const started = standIn.nextRequest('PUT /restore-jobs');
    const restoring = step().inject(settings(), context);
    const request = await started;
    expect(JSON.parse(request.body)).to.include({ RecoveryPointArn: 'arn:aws:backup:us-west-2:123456789012:recovery-point:newest', IamRoleArn: ROLE });
    expect(JSON.parse(request.body).Metadata).to.deep.equal({ DBInstanceIdentifier: 'orders-restored' });
    await standIn.nextRequest(`GET /restore-jobs/restore-1`);
    world.finishJobs('COMPLETED');
    const injection = await restoring;

    // Remembered before the job was started, and again with its id.
    expect(remembered.map((r) => r.resourceAtThatMoment)).to.deep.equal([0, 1]);
    expect(injection.state).to.deep.equal({ recoveryPointArn: 'arn:aws:backup:us-west-2:123456789012:recovery-point:newest', restoreJobId: 'restore-1' });
    const detail = injection.detail!;
    expect(detail.restoreMs).to.equal(Date.parse(String(detail.jobCompletedAt)) - Date.parse(String(detail.jobCreatedAt)));
    expect(detail.restoreMs).to.be.greaterThan(0);
    expect(context.clock.anchorWallMs + injection.at.t).to.equal(Date.parse(String(detail.jobCompletedAt)));
    expect(injection.at.lower).to.equal(injection.at.upper);
    expect(detail.createdResourceArn).to.equal('arn:aws:rds:us-west-2:123456789012:db:restored-restore-1');
    expect(Date.now() - Date.parse(String(detail.recoveryPointCreatedAt))).to.be.within(3_600_000, 3_700_000);

    await step().revert(settings(), injection.state, context);
    await step().verifyReverted(settings(), injection.state, context);
    expect(logs.join('\n')).to.include('restore job restore-1 is left as it is');
  });

  it('fails naming the job\'s status message when the restore fails', async function () {
    const { context } = recordingFaultContext(async () => null);
    const restoring = step().inject(settings(), context);
    await standIn.nextRequest('GET /restore-jobs/restore-2');
    world.finishJobs('FAILED', 'DBInstanceIdentifier orders-restored already exists');
    let error: unknown;
    await restoring.catch((e: unknown) => { error = e; });
    expect(String(error)).to.include('restore job restore-2 of arn:aws:backup:us-west-2:123456789012:recovery-point:newest ended FAILED: DBInstanceIdentifier orders-restored already exists');
  });

  it('times out naming the job and its status', async function () {
    const { context, remembered } = recordingFaultContext(async () => null);
    let error: unknown;
    await step().inject(settings({ timeout: '300ms' }), context).catch((e: unknown) => { error = e; });
    expect(String(error)).to.include('timed out after 300ms waiting for AWS Backup restore job restore-3 to finish; last seen: RUNNING');
    expect(remembered.at(-1)!.state).to.include({ restoreJobId: 'restore-3' });
    world.finishJobs('COMPLETED');
  });

  it('refuses a resource with no completed recovery point in the vault, starting nothing', async function () {
    const jobsBefore = standIn.requests.filter((r) => r.operation === 'PUT /restore-jobs').length;
    const { context, remembered } = recordingFaultContext(async () => null);
    let error: unknown;
    await step().inject(settings({ resourceArn: 'arn:aws:rds:us-east-1:123456789012:db:never-backed-up' }), context).catch((e: unknown) => { error = e; });
    expect(String(error)).to.include(`no COMPLETED recovery point of arn:aws:rds:us-east-1:123456789012:db:never-backed-up in backup vault ${VAULT} (${RECOVERY}); found 0 recovery point(s)`);
    error = undefined;
    await step().inject(settings({ backupVaultName: 'no-such-vault' }), context).catch((e: unknown) => { error = e; });
    expect(String(error)).to.include('found 0 recovery point(s)');
    expect(remembered).to.deep.equal([]);
    expect(standIn.requests.filter((r) => r.operation === 'PUT /restore-jobs').length).to.equal(jobsBefore);
  });

  it('fails, starting nothing, when AWS Backup throttles every attempt', async function () {
    proxy.setPlan(always('throttle'));
    const jobsBefore = standIn.requests.filter((r) => r.operation === 'PUT /restore-jobs').length;
    const { context, remembered } = recordingFaultContext(async () => null);
    let error: unknown;
    try {
      await createBackupRestore(() => emulatorTarget(proxy.endpoint, RECOVERY)).inject(settings(), context);
    } catch (e) {
      error = e;
    } finally {
      proxy.setPlan(forwardAll);
    }
    expect((error as Error).name).to.equal('ThrottlingException');
    expect(remembered).to.deep.equal([]);
    expect(standIn.requests.filter((r) => r.operation === 'PUT /restore-jobs').length).to.equal(jobsBefore);
  });
  describe('backup-job signal', function () {
    const jobs = backupStandIn();
    let jobsStandIn: AwsStandIn;
    const signal = (settings: Partial<BackupJobSignalSettings>, endpoint = () => jobsStandIn.endpoint) =>
      createBackupJobSignal('copies', { region: RECOVERY, jobType: 'copy', resourceArn: DB, ...settings }, () => emulatorTarget(endpoint(), RECOVERY));
    const observeOnce = async (settings: Partial<BackupJobSignalSettings>, endpoint?: () => string) => {
      const s = signal(settings, endpoint);
      try {
        return await s.observe({ signal: new AbortController().signal });
      } finally {
        await s.close();
      }
    };

    before(async function () {
      jobsStandIn = await startAwsStandIn({ upstream: moto.endpoint, answer: jobs.answer });
      jobs.addRecoveryPoint({ vault: VAULT, recoveryPointArn: 'arn:aws:backup:us-west-2:123456789012:recovery-point:copy-1', resourceArn: DB, creationDate: ago(600_000), status: 'COMPLETED' });
    });
    after(async function () { await jobsStandIn?.stop(); });

    it('is no-job before the resource has a job of that type', async function () {
      const seen = await observeOnce({});
      expect(seen.state).to.equal('no-job');
      expect(seen.since).to.equal(undefined);
      expect(seen.detail?.reason).to.equal(`AWS Backup in ${RECOVERY} has no copy job of ${DB}`);
    });

    it('follows the newest copy job, timed by the job\'s own CreationDate, then its CompletionDate', async function () {
      jobs.addJob({ type: 'copy', id: 'copy-old', resourceArn: DB, state: 'FAILED', creationDate: ago(7_200_000), completionDate: ago(7_100_000), recoveryPointArn: 'arn:aws:backup:us-west-2:123456789012:recovery-point:copy-0' });
      jobs.addJob({ type: 'copy', id: 'copy-other', resourceArn: 'arn:aws:rds:us-east-1:123456789012:db:other', state: 'RUNNING', creationDate: ago(1_000), recoveryPointArn: 'arn:aws:backup:us-west-2:123456789012:recovery-point:other' });
      const now = Date.now();
      const created = new Date(now - 300_000);
      const job = { type: 'copy' as const, id: 'copy-1', resourceArn: DB, state: 'RUNNING' as const, creationDate: created, recoveryPointArn: 'arn:aws:backup:us-west-2:123456789012:recovery-point:copy-1' };
      jobs.addJob(job);
      const running = await observeOnce({});
      expect(running.state).to.equal('RUNNING');
      expect(running.since?.getTime()).to.equal(created.getTime());
      expect(running.detail).to.include({ jobId: 'copy-1', createdAt: created.toISOString(), completedAt: null, jobMs: null, recoveryPointArn: job.recoveryPointArn });
      expect(running.detail?.reason).to.equal(`the newest copy job of ${DB}, copy-1, is RUNNING`);

      const completed = new Date(now - 60_000);
      Object.assign(job, { state: 'COMPLETED', completionDate: completed });
      const done = await observeOnce({});
      expect(done.state).to.equal('COMPLETED');
      expect(done.since?.getTime()).to.equal(completed.getTime());
      expect(done.detail).to.include({ jobId: 'copy-1', completedAt: completed.toISOString(), jobMs: 240_000 });
      expect(done.detail).not.to.have.property('reason');
      expect(jobsStandIn.requests.filter((r) => r.operation === 'GET /copy-jobs').map((r) => new URL(r.path, 'http://x').searchParams.get('resourceArn'))).to.include(DB);
    });

    it('reads a backup job the same way', async function () {
      jobs.addJob({ type: 'backup', id: 'backup-1', resourceArn: DB, state: 'CREATED', creationDate: ago(5_000), recoveryPointArn: 'arn:aws:backup:us-east-1:123456789012:recovery-point:b-1' });
      const seen = await observeOnce({ jobType: 'backup', region: 'us-east-1' });
      expect([seen.state, seen.detail?.jobId]).to.deep.equal(['CREATED', 'backup-1']);
    });

    it('follows a restore job the drill started, of the resource its recovery point was taken of, with the job\'s own dates', async function () {
      const restore = createBackupRestore(() => emulatorTarget(jobsStandIn.endpoint, RECOVERY));
      const { context } = recordingFaultContext(async () => null);
      const started = jobsStandIn.nextRequest('GET /restore-jobs/restore-1');
      const restoring = restore.inject(settings(), context);
      await started;
      const running = await observeOnce({ jobType: 'restore' });
      expect([running.state, running.detail?.jobId]).to.deep.equal(['RUNNING', 'restore-1']);
      expect((await observeOnce({ jobType: 'restore', resourceArn: 'arn:aws:rds:us-east-1:123456789012:db:other' })).state, 'another resource').to.equal('no-job');
      jobs.finishJobs('COMPLETED');
      const injection = await restoring;
      const done = await observeOnce({ jobType: 'restore' });
      expect(done.state).to.equal('COMPLETED');
      expect(done.since?.toISOString()).to.equal(injection.detail!.jobCompletedAt);
      expect(done.detail?.jobMs).to.equal(injection.detail!.restoreMs);
    });

    it('fails the poll (never a job state) when AWS Backup throttles every attempt', async function () {
      const throttling = await startHttpFaultProxy({ upstream: jobsStandIn.endpoint, plan: always('throttle') });
      try {
        const error = await failureOf(observeOnce({}, () => throttling.endpoint));
        expect(error.name).to.equal('ThrottlingException');
        expect(throttling.requests.length, 'attempts').to.equal(5);
      } finally {
        await throttling.stop();
      }
    });
  });
});
