import type { StandInReply, StandInRequest } from './aws-stand-in.js';

export interface StandInRecoveryPoint {
  vault: string;
  recoveryPointArn: string;
  resourceArn: string;
  creationDate: Date;
  status: 'COMPLETED' | 'PARTIAL' | 'CREATING';
}

/** A backup or copy job as the test world's backup plan would have run it (a copy: into the recovery Region's vault). */
export interface StandInJob {
  type: 'backup' | 'copy';
  id: string;
  resourceArn: string;
  state: 'CREATED' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'ABORTED' | 'PARTIAL';
  creationDate: Date;
  completionDate?: Date;
  recoveryPointArn: string;
  statusMessage?: string;
}

interface RestoreJob {
  id: string;
  recoveryPointArn: string;
  status: 'PENDING' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'ABORTED';
  creationDate: Date;
  completionDate?: Date;
  statusMessage?: string;
  createdResourceArn?: string;
}

/**
 * moto 5.2.5 has AWS Backup vaults but no jobs: StartRestoreJob, DescribeRestoreJob and
 * ListRecoveryPointsByBackupVault answer 404. This plays them in the REST-JSON protocol in
 * front of moto: the test world adds recovery points (the copies a backup plan would have made
 * in the recovery Region), restore jobs stay RUNNING until the test finishes them, and each job
 * carries its own CreationDate and CompletionDate. ListRestoreJobs lists them (each with the
 * resource its recovery point was taken of); ListBackupJobs and ListCopyJobs list the backup and
 * copy jobs the test world adds.
 */
export function backupStandIn() {
  const points: StandInRecoveryPoint[] = [];
  const jobs = new Map<string, RestoreJob>();
  const otherJobs: StandInJob[] = [];
  const json = (body: unknown, status = 200): StandInReply => ({ status, contentType: 'application/json', body: JSON.stringify(body) });
  const notFound = (message: string): StandInReply => ({ status: 404, contentType: 'application/json', body: JSON.stringify({ Message: message, Code: 'ResourceNotFoundException' }) });
  const seconds = (d: Date | undefined) => (d ? d.getTime() / 1000 : undefined);

  return {
    addRecoveryPoint(point: StandInRecoveryPoint) { points.push(point); },
    /** A backup or copy job; change its `state` and `completionDate` to move it on. */
    addJob(job: StandInJob) { otherJobs.push(job); },
    /** Whether a restore has finished: the recovery Region has its data back. */
    restored: () => [...jobs.values()].some((job) => job.status === 'COMPLETED'),
    /** Ends every running job with `status`, as AWS Backup would when the restore finishes. */
    finishJobs(status: 'COMPLETED' | 'FAILED', statusMessage?: string) {
      for (const job of jobs.values()) {
        if (job.status !== 'RUNNING') continue;
        job.status = status;
        job.completionDate = new Date();
        if (statusMessage) job.statusMessage = statusMessage;
        if (status === 'COMPLETED') job.createdResourceArn = `arn:aws:rds:us-west-2:123456789012:db:restored-${job.id}`;
      }
    },
    answer(request: StandInRequest): StandInReply | undefined {
      const url = new URL(request.path, 'http://stand-in');
      const list = /^\/backup-vaults\/([^/]+)\/recovery-points\/?$/.exec(url.pathname);
      if (request.method === 'GET' && list) {
        const vault = decodeURIComponent(list[1]!);
        const resourceArn = url.searchParams.get('resourceArn');
        return json({ RecoveryPoints: points.filter((p) => p.vault === vault && (!resourceArn || p.resourceArn === resourceArn)).map((p) => ({
          RecoveryPointArn: p.recoveryPointArn, ResourceArn: p.resourceArn, BackupVaultName: p.vault, Status: p.status, CreationDate: seconds(p.creationDate), ResourceType: 'RDS',
        })) });
      }
      if (request.method === 'PUT' && url.pathname === '/restore-jobs') {
        const body = JSON.parse(request.body) as { RecoveryPointArn?: string };
        if (!points.some((p) => p.recoveryPointArn === body.RecoveryPointArn)) return notFound(`recovery point ${body.RecoveryPointArn} not found`);
        const id = `restore-${jobs.size + 1}`;
        jobs.set(id, { id, recoveryPointArn: body.RecoveryPointArn!, status: 'RUNNING', creationDate: new Date() });
        return json({ RestoreJobId: id });
      }
      const listJobs = /^\/(backup|copy)-jobs\/?$/.exec(url.pathname);
      if (request.method === 'GET' && listJobs) {
        const type = listJobs[1] as StandInJob['type'];
        const resourceArn = url.searchParams.get('resourceArn');
        const listed = otherJobs.filter((j) => j.type === type && (!resourceArn || j.resourceArn === resourceArn)).map((j) => ({
          [type === 'backup' ? 'BackupJobId' : 'CopyJobId']: j.id, ResourceArn: j.resourceArn, State: j.state, CreationDate: seconds(j.creationDate),
          ...(j.completionDate ? { CompletionDate: seconds(j.completionDate) } : {}),
          [type === 'backup' ? 'RecoveryPointArn' : 'DestinationRecoveryPointArn']: j.recoveryPointArn,
          ...(j.statusMessage ? { StatusMessage: j.statusMessage } : {}),
        }));
        return json(type === 'backup' ? { BackupJobs: listed } : { CopyJobs: listed });
      }
      if (request.method === 'GET' && /^\/restore-jobs\/?$/.test(url.pathname)) {
        return json({ RestoreJobs: [...jobs.values()].map((job) => ({
          RestoreJobId: job.id, RecoveryPointArn: job.recoveryPointArn, Status: job.status, CreationDate: seconds(job.creationDate),
          SourceResourceArn: points.find((p) => p.recoveryPointArn === job.recoveryPointArn)?.resourceArn,
          ...(job.completionDate ? { CompletionDate: seconds(job.completionDate) } : {}),
        })) });
      }
      const describe = /^\/restore-jobs\/([^/]+)$/.exec(url.pathname);
      if (request.method === 'GET' && describe) {
        const job = jobs.get(decodeURIComponent(describe[1]!));
        if (!job) return notFound(`restore job ${describe[1]} not found`);
        return json({
          RestoreJobId: job.id, RecoveryPointArn: job.recoveryPointArn, Status: job.status, CreationDate: seconds(job.creationDate),
          ...(job.completionDate ? { CompletionDate: seconds(job.completionDate) } : {}),
          ...(job.statusMessage ? { StatusMessage: job.statusMessage } : {}),
          ...(job.createdResourceArn ? { CreatedResourceArn: job.createdResourceArn } : {}),
        });
      }
      return undefined;
    },
  };
}
