import { ListBackupJobsCommand, ListCopyJobsCommand, ListRestoreJobsCommand, type BackupClient } from '@aws-sdk/client-backup';
import { z } from 'zod';
import { backupClient, type AwsTarget } from '../aws/clients.js';
import type { Grant } from '../aws/permissions.js';
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

const LIST_ACTION: Record<JobType, string> = { backup: 'backup:ListBackupJobs', copy: 'backup:ListCopyJobs', restore: 'backup:ListRestoreJobs' };

/** The three List calls have no resource-level permissions. */
export function backupJobSignalPermissions(settings: BackupJobSignalSettings): Grant[] {
  return [{ purpose: 'ListBackupJobsOfResource', actions: [LIST_ACTION[settings.jobType]], resources: ['*'] }];
}

/** The state before the resource has any job of that type. */
export const NO_JOB_STATE = 'no-job';

/** A job as the three List calls give it, in one shape. */
interface Job {
  id: string | undefined;
  state: string | undefined;
  createdAt: Date | undefined;
  completedAt: Date | undefined;
  recoveryPointArn: string | undefined;
  statusMessage: string | undefined;
  percentDone: string | undefined;
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
      const state = newest.state;
      if (!state) throw new Error(`AWS Backup listed a ${s.jobType} job of ${s.resourceArn} (${newest.id ?? 'no id'}) without a state`);
      const since = newest.completedAt ?? newest.createdAt;
      return {
        state,
        ...(since ? { since } : {}),
        detail: {
          jobType: s.jobType,
          jobId: newest.id ?? null,
          resourceArn: s.resourceArn,
          recoveryPointArn: newest.recoveryPointArn ?? null,
          createdAt: newest.createdAt?.toISOString() ?? null,
          completedAt: newest.completedAt?.toISOString() ?? null,
          jobMs: newest.createdAt && newest.completedAt ? newest.completedAt.getTime() - newest.createdAt.getTime() : null,
          percentDone: newest.percentDone ?? null,
          statusMessage: newest.statusMessage ?? null,
          ...(state === 'COMPLETED' ? {} : { reason: `the newest ${s.jobType} job of ${s.resourceArn}, ${newest.id ?? 'no id'}, is ${state}${newest.statusMessage ? `: ${newest.statusMessage}` : ''}` }),
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
    const page = await LIST_PAGE[jobType](client, { resourceArn, NextToken }, abortSignal);
    jobs.push(...page.jobs);
    NextToken = page.nextToken;
  } while (NextToken);
  return jobs;
}

type ListPage = (client: BackupClient, at: { resourceArn: string; NextToken: string | undefined }, abortSignal: AbortSignal) => Promise<{ jobs: Job[]; nextToken: string | undefined }>;

const LIST_PAGE: Record<JobType, ListPage> = {
  async backup(client, { resourceArn, NextToken }, abortSignal) {
    const page = await client.send(new ListBackupJobsCommand({ ByResourceArn: resourceArn, NextToken }), { abortSignal });
    return {
      jobs: (page.BackupJobs ?? []).map((j) => ({ id: j.BackupJobId, state: j.State, createdAt: j.CreationDate, completedAt: j.CompletionDate, recoveryPointArn: j.RecoveryPointArn, statusMessage: j.StatusMessage, percentDone: j.PercentDone })),
      nextToken: page.NextToken,
    };
  },
  async copy(client, { resourceArn, NextToken }, abortSignal) {
    const page = await client.send(new ListCopyJobsCommand({ ByResourceArn: resourceArn, NextToken }), { abortSignal });
    return {
      jobs: (page.CopyJobs ?? []).map((j) => ({ id: j.CopyJobId, state: j.State, createdAt: j.CreationDate, completedAt: j.CompletionDate, recoveryPointArn: j.DestinationRecoveryPointArn, statusMessage: j.StatusMessage, percentDone: undefined })),
      nextToken: page.NextToken,
    };
  },
  async restore(client, { resourceArn, NextToken }, abortSignal) {
    const page = await client.send(new ListRestoreJobsCommand({ NextToken }), { abortSignal });
    return {
      jobs: (page.RestoreJobs ?? []).filter((j) => j.SourceResourceArn === resourceArn)
        .map((j) => ({ id: j.RestoreJobId, state: j.Status, createdAt: j.CreationDate, completedAt: j.CompletionDate, recoveryPointArn: j.RecoveryPointArn, statusMessage: j.StatusMessage, percentDone: j.PercentDone })),
      nextToken: page.NextToken,
    };
  },
};
