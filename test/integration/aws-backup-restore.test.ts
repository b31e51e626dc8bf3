/**
 * Issue 20: backup and restore on AWS services, run as a real drill (`firedrill run
 * drills/aws-backup-restore.yaml`) against moto, in the test world of aws-drill-world.ts. moto
 * has the vault but no Backup jobs: the environment's `backup` endpoint is the stand-in
 * (backup-stand-in.ts), which holds the cross-Region copy (and the copy job that made it) and
 * finishes a restore 1 s after it started. The front door serves from the recovery Region once
 * a restore has completed.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateBackupVaultCommand } from '@aws-sdk/client-backup';
import { expect } from 'chai';
import { backupClient, emulatorTarget } from '../../src/aws/clients.js';
import { startMoto, type Emulator } from '../../lab/emulator.js';
import { EXIT } from '../../src/runtime/errors.js';
import { startAwsDrillWorld, WORLD, type AwsDrillWorld } from '../support/aws-drill-world.js';
import { startAwsStandIn, type AwsStandIn } from '../support/aws-stand-in.js';
import { backupStandIn } from '../support/backup-stand-in.js';

const projectDir = fileURLToPath(new URL('../..', import.meta.url));
const DRILL_FILE = join(projectDir, 'drills/aws-backup-restore.yaml');
const RESTORE_MS = 1_000;

describe('backup and restore on AWS (drills/aws-backup-restore.yaml on moto)', function () {
  let moto: Emulator;
  let standIn: AwsStandIn;
  let world: AwsDrillWorld;
  const backup = backupStandIn();

  before(async function () {
    moto = await startMoto({ projectDir });
    standIn = await startAwsStandIn({ upstream: moto.endpoint, answer: backup.answer });
    void standIn.nextRequest('PUT /restore-jobs').then(() => { setTimeout(() => backup.finishJobs('COMPLETED'), RESTORE_MS); });
    const client = backupClient(emulatorTarget(standIn.endpoint, WORLD.recovery));
    await client.send(new CreateBackupVaultCommand({ BackupVaultName: 'recovery-vault' }));
    client.destroy();
    backup.addRecoveryPoint({
      vault: 'recovery-vault', recoveryPointArn: `arn:aws:backup:${WORLD.recovery}:${WORLD.account}:recovery-point:copy-1`,
      resourceArn: `arn:aws:rds:${WORLD.primary}:${WORLD.account}:db:orders`, creationDate: new Date(Date.now() - 3_600_000), status: 'COMPLETED',
    });
    backup.addJob({
      type: 'copy', id: 'copy-job-1', resourceArn: `arn:aws:rds:${WORLD.primary}:${WORLD.account}:db:orders`, state: 'COMPLETED',
      creationDate: new Date(Date.now() - 3_590_000), completionDate: new Date(Date.now() - 3_500_000), recoveryPointArn: `arn:aws:backup:${WORLD.recovery}:${WORLD.account}:recovery-point:copy-1`,
    });
    world = await startAwsDrillWorld({
      moto,
      endpoints: { backup: standIn.endpoint },
      async serving(primaryDown) {
        if (!primaryDown) return WORLD.primary;
        return backup.restored() ? WORLD.recovery : undefined;
      },
    });
  });

  after(async function () {
    await world?.stop();
    await standIn?.stop();
    await moto?.stop();
  });

  it('detects from the event, restores the copy, and its RTO holds AWS Backup\'s own restore time', async function () {
    const { code, text, result, timeline } = await world.runDrill(DRILL_FILE);
    expect(code, text).to.equal(EXIT.passed);
    const restored = timeline.find((e) => e.kind === 'fault' && e.fault === 'restore' && e.action === 'injected');
    expect(restored, 'the restore step on the timeline').to.not.equal(undefined);
    const { restoreMs, jobCompletedAt, recoveryPointArn } = restored.detail;
    expect(recoveryPointArn).to.equal(`arn:aws:backup:${WORLD.recovery}:${WORLD.account}:recovery-point:copy-1`);
    expect(restoreMs).to.be.within(RESTORE_MS, RESTORE_MS + 1_000);
    // The step's instant is the job's CompletionDate, by AWS Backup's clock.
    expect(Date.parse(result.clockAnchor) + restored.at.t).to.be.closeTo(Date.parse(jobCompletedAt), 1);
    expect(result.measurements.rtoMs.upper, JSON.stringify(result.measurements)).to.be.at.least(restoreMs);
    // The restore-job signal saw the same job start and end, timed by the job's own dates.
    const jobStates = timeline.filter((e) => e.kind === 'signal' && e.signal === 'restore-job');
    expect(jobStates.map((e) => [e.state, e.source])).to.deep.equal([['no-job', 'observed'], ['RUNNING', 'source-clock'], ['COMPLETED', 'source-clock']]);
    expect(Date.parse(result.clockAnchor) + jobStates[1].at.t).to.be.closeTo(Date.parse(restored.detail.jobCreatedAt), 1);
    expect(Date.parse(result.clockAnchor) + jobStates[2].at.t).to.be.closeTo(Date.parse(jobCompletedAt), 1);
    expect(jobStates[2].detail.jobMs).to.equal(restoreMs);
    expect(result.checks.find((c: { name: string }) => c.name === 'steady-state before')).to.deep.include({ ok: true });
  });

  it('does not start while the newest cross-Region copy has failed, saying which job and why', async function () {
    const restoresBefore = standIn.requests.filter((r) => r.operation === 'PUT /restore-jobs').length;
    backup.addJob({
      type: 'copy', id: 'copy-job-2', resourceArn: `arn:aws:rds:${WORLD.primary}:${WORLD.account}:db:orders`, state: 'FAILED',
      creationDate: new Date(Date.now() - 60_000), completionDate: new Date(Date.now() - 30_000), recoveryPointArn: `arn:aws:backup:${WORLD.recovery}:${WORLD.account}:recovery-point:copy-2`,
      statusMessage: 'Access denied to the destination vault\'s key',
    });
    const { code, text, result, timeline } = await world.runDrill(DRILL_FILE);
    expect(code, text).to.equal(EXIT.aborted);
    expect(result.aborted.reason).to.equal(`steady state not met before injecting, so no fault was injected: signal newest-copy is FAILED, expected COMPLETED (the newest copy job of arn:aws:rds:${WORLD.primary}:${WORLD.account}:db:orders, copy-job-2, is FAILED: Access denied to the destination vault's key)`);
    expect(timeline.filter((e) => e.kind === 'fault' && e.action === 'injected'), 'faults or steps applied').to.deep.equal([]);
    expect(standIn.requests.filter((r) => r.operation === 'PUT /restore-jobs').length, 'restores started').to.equal(restoresBefore);
  });

  it('prints with iam-policy a policy that allows each AWS call the drills made, on its resource, and grants nothing else', async function () {
    expect(await world.iamPolicyVersusCalls(DRILL_FILE)).to.deep.equal({ denied: [], grantedNotCalled: [], calledNotGranted: [] });
  });
});
