import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { FiredrillError } from '../runtime/errors.js';

/**
 * One drill per environment at a time: a lock file with an owner and an expiry, created
 * exclusively. A lock whose owner process is gone (same host) or whose expiry has passed is
 * taken over, so a crashed drill does not block the next one forever.
 */
interface LockOwner {
  drillId: string;
  pid: number;
  host: string;
  expiresAt: number;
}

export interface EnvironmentLock {
  release(): void;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function acquireLock(stateDir: string, environment: string, drillId: string, ttlMs: number): EnvironmentLock {
  const file = join(stateDir, 'locks', `${environment}.lock`);
  mkdirSync(dirname(file), { recursive: true });
  const owner: LockOwner = { drillId, pid: process.pid, host: hostname(), expiresAt: Date.now() + ttlMs };
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, JSON.stringify(owner), { flag: 'wx' });
      return {
        release() {
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
      const stale = !holder || holder.expiresAt < Date.now() || (holder.host === owner.host && !isAlive(holder.pid));
      if (!stale) {
        throw new FiredrillError('FIREDRILL_LOCKED', `environment "${environment}" is locked by drill ${holder!.drillId} (pid ${holder!.pid} on ${holder!.host}, until ${new Date(holder!.expiresAt).toISOString()}): one drill per environment at a time`);
      }
      unlinkSync(file);
    }
  }
  throw new FiredrillError('FIREDRILL_LOCKED', `environment "${environment}": could not take the lock ${file}`);
}
