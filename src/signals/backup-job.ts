import { ListBackupJobsCommand, ListCopyJobsCommand, ListRestoreJobsCommand, type BackupClient } from '@aws-sdk/client-backup';
import { z } from 'zod';
import { backupClient, type AwsTarget } from '../aws/clients.js';
import { durationMs } from '../scenario/fields.js';
import type { Observation, Signal } from './signal.js';

export const backupJobSignalSettings = z.strictObject({
  /** Where the jobs run: the copy and restore jobs of a cross-Region copy are the recovery Region's. */
  region: z.string().min(1),
  /** `backup` (ListBackupJobs), `copy` (ListCopyJobs: the cross-Region copies) or `restore` (ListRestoreJobs). */
  jobType: z.enum(['backup', 'copy', 'restore']),
  /** The protected resource the jobs are of (for a restore: the resource its recovery point was taken of). */
  resourceArn: z.string().regex(/^arn:aws[\w-]*:/, 'expected an ARN'),
  interval: durationMs.default(15_000),
});

export type BackupJobSignalSettings = z.input<typeof backupJobSignalSettings>;
type JobType = z.output<typeof backupJobSignalSettings>['jobType'];

/** The state before the resource has any job of that type. */
export const NO_JOB_STATE = 'no-job';

interface Job {
  id: string;
  state: string;
  createdAt?: Date;
  completedAt?: Date;
  recoveryPointArn: string | null;
  statusMessage: string | null;
  percentDone: string | null;
}

/**
 * An AWS Backup job as a signal: the newest job of the resource of one type, its state as AWS
 * Backup gives it (`CREATED`, `RUNNING`, `COMPLETED`, `FAILED`, …; `PENDING` for a restore), or
 * `no-job`. `since` is the job's own clock: its CompletionDate once it has one, else its
 * CreationDate; the detail has both and the time between them, as AWS Backup measured it. As a
 * steady-state precondition (`COMPLETED`: the newest copy to the recovery Region finished), a
 * job in any other state gives its reason.
 */
export function createBackupJobSignal(name: string, settings: BackupJobSignalSettings, resolveTarget: (region: string) => AwsTarget): Signal {
  const s = backupJobSignalSettings.parse(settings);
  const client = backupClient(resolveTarget(s.region));
  return {
    name,
    intervalMs: s.interval,
    async observe({ signal }): Promise<Observation> {
      const jobs = await listJobs(client, s.jobType, s.resourceArn, signal);
      const newest = jobs.sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0))[0];
      if (!newest) return { state: NO_JOB_STATE, detail: { jobType: s.jobType, resourceArn: s.resourceArn, reason: `AWS Backup in ${s.region} has no ${s.jobType} job of ${s.resourceArn}` } };
      const since = newest.completedAt ?? newest.createdAt;
      return {
        state: newest.state,
        ...(since ? { since } : {}),
        detail: {
          jobType: s.jobType,
          jobId: newest.id,
          resourceArn: s.resourceArn,
          recoveryPointArn: newest.recoveryPointArn,
          createdAt: newest.createdAt?.toISOString() ?? null,
          completedAt: newest.completedAt?.toISOString() ?? null,
          jobMs: newest.createdAt && newest.completedAt ? newest.completedAt.getTime() - newest.createdAt.getTime() : null,
          percentDone: newest.percentDone,
          statusMessage: newest.statusMessage,
          ...(newest.state === 'COMPLETED' ? {} : { reason: `the newest ${s.jobType} job of ${s.resourceArn}, ${newest.id}, is ${newest.state}${newest.statusMessage ? `: ${newest.statusMessage}` : ''}` }),
        },
      };
    },
    async close() {
      client.destroy();
    },
  };
}

/** Every job of that type of the resource, over all pages. ListRestoreJobs has no resource filter: its SourceResourceArn is matched here. */
async function listJobs(client: BackupClient, jobType: JobType, resourceArn: string, abortSignal: AbortSignal): Promise<Job[]> {
  const jobs: Job[] = [];
  let NextToken: string | undefined;
  do {
    if (jobType === 'backup') {
      const page = await client.send(new ListBackupJobsCommand({ ByResourceArn: resourceArn, NextToken }), { abortSignal });
      jobs.push(...(page.BackupJobs ?? []).map((j) => job(j.BackupJobId, j.State, j, j.RecoveryPointArn, j.PercentDone)));
      NextToken = page.NextToken;
    } else if (jobType === 'copy') {
      const page = await client.send(new ListCopyJobsCommand({ ByResourceArn: resourceArn, NextToken }), { abortSignal });
      jobs.push(...(page.CopyJobs ?? []).map((j) => job(j.CopyJobId, j.State, j, j.DestinationRecoveryPointArn, undefined)));
      NextToken = page.NextToken;
    } else {
      const page = await client.send(new ListRestoreJobsCommand({ NextToken }), { abortSignal });
      jobs.push(...(page.RestoreJobs ?? []).filter((j) => j.SourceResourceArn === resourceArn).map((j) => job(j.RestoreJobId, j.Status, j, j.RecoveryPointArn, j.PercentDone)));
      NextToken = page.NextToken;
    }
  } while (NextToken);
  return jobs;
}

function job(id: string | undefined, state: string | undefined, dates: { CreationDate?: Date; CompletionDate?: Date; StatusMessage?: string }, recoveryPointArn: string | undefined, percentDone: string | undefined): Job {
  return {
    id: id ?? 'unnamed',
    state: state ?? 'unknown',
    ...(dates.CreationDate ? { createdAt: dates.CreationDate } : {}),
    ...(dates.CompletionDate ? { completedAt: dates.CompletionDate } : {}),
    recoveryPointArn: recoveryPointArn ?? null,
    statusMessage: dates.StatusMessage ?? null,
    percentDone: percentDone ?? null,
  };
}
