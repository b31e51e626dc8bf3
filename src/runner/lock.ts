import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import type { AwsChange } from '../aws/change-log.js';
import { recordingInto } from '../aws/clients.js';
import { dynamoDbLockTable } from '../aws/dynamodb-lock.js';
import { FiredrillError } from '../runtime/errors.js';
import { isProcessAlive } from '../runtime/process.js';
import { awsTargetOf, type Environment } from '../scenario/environment.js';

/**
 * One drill per environment at a time: a lock with an owner and an expiry. The local store is a
 * lock file, created exclusively; an environment shared by machines (throwaway CI runners) keeps
 * its lock in DynamoDB instead (`lock.dynamodb` in the environment).
 */
export interface EnvironmentLock {
  /** Gives the lock up; a lock already taken over by someone else is left alone. */
  release(): Promise<void>;
}

export interface LockRequest {
  environment: string;
  drillId: string;
  /** How long the lock holds if its owner dies without releasing it. */
  ttlMs: number;
}

export interface EnvironmentLocks {
  /** Takes the environment's lock, or throws FIREDRILL_LOCKED naming the drill that holds it. */
  acquire(request: LockRequest): Promise<EnvironmentLock>;
}

/**
 * The store an environment's lock lives in: DynamoDB when configured, a local file otherwise.
 * `awsChanges` is the drill's log, so taking and releasing a DynamoDB lock is in its provenance.
 */
export function locksFor(environment: Environment, stateDir: string, awsChanges?: AwsChange[]): EnvironmentLocks {
  const shared = environment.lock?.dynamodb;
  if (shared) {
    const table = dynamoDbLockTable(recordingInto(awsTargetOf(environment, shared.region), awsChanges), shared.table);
    return {
      async acquire(request) {
        const attempt = await table.tryAcquire(request);
        if (!attempt.acquired) throw lockedError(request.environment, attempt.holder.drillId, `owner ${attempt.holder.owner}`, attempt.holder.expiresAtMs);
        return { release: attempt.release };
      },
    };
  }
  return { acquire: async ({ environment: name, drillId, ttlMs }) => acquireLock(stateDir, name, drillId, ttlMs) };
}

interface LockOwner {
  drillId: string;
  pid: number;
  host: string;
  expiresAt: number;
}

/**
 * The local lock file. A lock whose owner process is gone (same host) or whose expiry has passed
 * is taken over, so a crashed drill does not block the next one forever.
 */
export function acquireLock(stateDir: string, environment: string, drillId: string, ttlMs: number): EnvironmentLock {
  const file = join(stateDir, 'locks', `${environment}.lock`);
  mkdirSync(dirname(file), { recursive: true });
  const owner: LockOwner = { drillId, pid: process.pid, host: hostname(), expiresAt: Date.now() + ttlMs };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, JSON.stringify(owner), { flag: 'wx' });
      return {
        async release() {
          try {
            const current = JSON.parse(readFileSync(file, 'utf8')) as LockOwner;
            if (current.drillId === drillId) unlinkSync(file);
          } catch { /* already gone */ }
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let holder: LockOwner | undefined;
      try { holder = JSON.parse(readFileSync(file, 'utf8')) as LockOwner; } catch { /* half-written: treat as stale */ }
      const stale = !holder || holder.expiresAt < Date.now() || (holder.host === owner.host && !isProcessAlive(holder.pid));
      if (!stale) throw lockedError(environment, holder!.drillId, `pid ${holder!.pid} on ${holder!.host}`, holder!.expiresAt);
      unlinkSync(file);
    }
  }
  throw new FiredrillError('FIREDRILL_LOCKED', `environment "${environment}": could not take the lock ${file}`);
}

/** The refusal every lock store gives, so a second drill reads the same message wherever the lock lives. */
function lockedError(environment: string, drillId: string, owner: string, expiresAtMs: number): FiredrillError {
  return new FiredrillError('FIREDRILL_LOCKED', `environment "${environment}" is locked by drill ${drillId} (${owner}, until ${new Date(expiresAtMs).toISOString()}): one drill per environment at a time`);
}
