import {
  DescribeRestoreJobCommand, ListRecoveryPointsByBackupVaultCommand, StartRestoreJobCommand,
  type BackupClient, type DescribeRestoreJobCommandOutput, type RecoveryPointByBackupVault,
} from '@aws-sdk/client-backup';
import { z } from 'zod';
import { backupClient, recordingInto, withClient, type AwsTarget } from '../aws/clients.js';
import { arnsIn, passRoleGrant, type Grant, type PermissionScope } from '../aws/permissions.js';
import { timelineMsOf } from '../core/clock.js';
import { exactInstant } from '../core/measurement.js';
import type { FaultContext, FaultKind } from '../faults/fault.js';
import { observeUntil } from '../runtime/observe-until.js';
import { durationMs } from '../scenario/fields.js';

const arn = z.string().regex(/^arn:aws[\w-]*:/, 'expected an ARN');

export const backupRestoreSettings = z.strictObject({
  /** The recovery Region: the vault there holds the cross-Region copies. */
  region: z.string().min(1),
  backupVaultName: z.string().min(1),
  /** The protected resource whose newest recovery point in the vault is restored. */
  resourceArn: arn,
  iamRoleArn: arn,
  /** The resource type's restore metadata (GetRecoveryPointRestoreMetadata gives a starting point). */
  metadata: z.record(z.string(), z.string()).default({}),
  resourceType: z.string().min(1).optional(),
  timeout: durationMs.default(14_400_000),
  pollInterval: durationMs.default(15_000),
});

export type BackupRestoreSettings = z.output<typeof backupRestoreSettings>;

const FINISHED = ['COMPLETED', 'ABORTED', 'FAILED'];

/**
 * A recovery step: restore the newest completed recovery point of a resource from a vault in
 * the recovery Region (AWS Backup StartRestoreJob) and wait for the job. `at` is the job's own
 * CompletionDate; the detail keeps its CreationDate, so the restore time is AWS Backup's, and
 * the recovery point's CreationDate, the newest data the restore can bring back. A restore
 * makes a new resource and AWS Backup cannot cancel a restore job: revert leaves the restored
 * resource in place and names it (the journal keeps the job id).
 */
export function createBackupRestore(resolveTarget: (region: string) => AwsTarget): FaultKind<BackupRestoreSettings> {
  const clientFor = (s: BackupRestoreSettings, ctx: FaultContext) => backupClient(recordingInto(resolveTarget(s.region), ctx.awsChanges));

  return {
    kind: 'backup-restore',
    settings: backupRestoreSettings,
    permissions: backupRestorePermissions,
    plan(s) {
      return [
        `backup:ListRecoveryPointsByBackupVault ${s.backupVaultName} (${s.region}) for ${s.resourceArn}: the newest COMPLETED recovery point`,
        `backup:StartRestoreJob of that recovery point as ${s.iamRoleArn}, then wait up to ${s.timeout}ms for the job to complete`,
        'no revert: the restored resource stays (AWS Backup cannot cancel a restore); it is named in the step\'s evidence',
      ];
    },
    async inject(s, ctx) {
      return withClient(clientFor(s, ctx), async (client) => {
        const point = await newestRecoveryPoint(client, s, ctx.signal);
        await ctx.remember({ recoveryPointArn: point.RecoveryPointArn! });
        const started = await client.send(new StartRestoreJobCommand({
          RecoveryPointArn: point.RecoveryPointArn,
          IamRoleArn: s.iamRoleArn,
          Metadata: s.metadata,
          ...(s.resourceType ? { ResourceType: s.resourceType } : {}),
          IdempotencyToken: `${ctx.drillId}-${point.RecoveryPointArn}`.slice(0, 128),
        }), { abortSignal: ctx.signal });
        const jobId = started.RestoreJobId;
        if (!jobId) throw new Error(`backup:StartRestoreJob in ${s.region} answered without a RestoreJobId`);
        await ctx.remember({ recoveryPointArn: point.RecoveryPointArn!, restoreJobId: jobId });
        const job = await waitForJob(client, s, jobId, ctx);
        if (job.Status !== 'COMPLETED') throw new Error(`restore job ${jobId} of ${point.RecoveryPointArn} ended ${job.Status}: ${job.StatusMessage ?? 'no status message'}`);
        if (!job.CompletionDate || !job.CreationDate) throw new Error(`restore job ${jobId} is COMPLETED but AWS Backup gave no CreationDate and CompletionDate`);
        return {
          at: exactInstant(timelineMsOf(ctx.clock, job.CompletionDate)),
          state: { recoveryPointArn: point.RecoveryPointArn!, restoreJobId: jobId },
          detail: {
            restoreJobId: jobId,
            recoveryPointArn: point.RecoveryPointArn!,
            recoveryPointCreatedAt: point.CreationDate?.toISOString() ?? null,
            jobCreatedAt: job.CreationDate.toISOString(),
            jobCompletedAt: job.CompletionDate.toISOString(),
            restoreMs: job.CompletionDate.getTime() - job.CreationDate.getTime(),
            createdResourceArn: job.CreatedResourceArn ?? null,
          },
        };
      });
    },
    async revert(s, state, ctx) {
      if (state.restoreJobId) ctx.log(`restore job ${String(state.restoreJobId)} is left as it is: firedrill does not delete restored resources`);
    },
    async verifyReverted() {},
  };
}

/**
 * The vault's recovery points, a restore of one of them (which one is known only when the drill
 * runs: the newest) as the restore role, handed to AWS Backup only, and the job's progress:
 * DescribeRestoreJob has no resource-level permissions.
 */
function backupRestorePermissions(s: BackupRestoreSettings, scope: PermissionScope): Grant[] {
  const arn = (resource: string) => arnsIn(scope, 'backup', s.region, resource);
  return [
    { purpose: 'FindNewestRecoveryPoint', actions: ['backup:ListRecoveryPointsByBackupVault'], resources: arn(`backup-vault:${s.backupVaultName}`) },
    { purpose: 'StartRestoreJob', actions: ['backup:StartRestoreJob'], resources: arn('recovery-point:*') },
    passRoleGrant('PassRestoreRoleToBackup', s.iamRoleArn, 'backup.amazonaws.com'),
    { purpose: 'WatchRestoreJob', actions: ['backup:DescribeRestoreJob'], resources: ['*'] },
  ];
}

async function newestRecoveryPoint(client: BackupClient, s: BackupRestoreSettings, abortSignal: AbortSignal): Promise<RecoveryPointByBackupVault> {
  const points: RecoveryPointByBackupVault[] = [];
  let NextToken: string | undefined;
  do {
    const page = await client.send(new ListRecoveryPointsByBackupVaultCommand({ BackupVaultName: s.backupVaultName, ByResourceArn: s.resourceArn, NextToken }), { abortSignal });
    points.push(...(page.RecoveryPoints ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  const completed = points
    .filter((p) => p.Status === 'COMPLETED' && p.RecoveryPointArn && p.ResourceArn === s.resourceArn)
    .sort((a, b) => (b.CreationDate?.getTime() ?? 0) - (a.CreationDate?.getTime() ?? 0));
  if (!completed[0]) throw new Error(`no COMPLETED recovery point of ${s.resourceArn} in backup vault ${s.backupVaultName} (${s.region}); found ${points.length} recovery point(s)`);
  return completed[0];
}

async function waitForJob(client: BackupClient, s: BackupRestoreSettings, jobId: string, ctx: FaultContext): Promise<DescribeRestoreJobCommandOutput> {
  const observed = await observeUntil(() => client.send(new DescribeRestoreJobCommand({ RestoreJobId: jobId }), { abortSignal: ctx.signal }), {
    until: (job) => FINISHED.includes(job.Status ?? ''),
    describe: (job) => `${job.Status ?? 'no status'}${job.PercentDone ? ` (${job.PercentDone} done)` : ''}`,
    sinceT: ctx.clock.now(),
    clock: ctx.clock,
    timeoutMs: s.timeout,
    intervalMs: s.pollInterval,
    signal: ctx.signal,
    what: `AWS Backup restore job ${jobId} to finish`,
  });
  return observed.value;
}
