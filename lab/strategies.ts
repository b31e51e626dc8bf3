import { FiredrillError } from '../src/runtime/errors.js';
import { setTimeout as delay } from 'node:timers/promises';
import type { AppServer } from './app-server.js';
import type { LabDatabase } from './database.js';
import type { GroundTruth } from './ground-truth.js';

/**
 * AWS's four disaster-recovery strategies as the lab runs them: what stands in the recovery
 * Region before a disaster, and the recovery steps the failover controller runs at decision
 * time, before it switches DNS. Each step writes its ground truth.
 *
 * - backup and restore: no replica, the recovery app stopped; restore the newest backup copied
 *   to the recovery Region into a new cluster (provisioning it is modelled, the restore is
 *   real), then start the app;
 * - pilot light: a running replica, the recovery app at zero instances; promote, then scale up
 *   (like an ECS service's desired count going from 0 to N), the two in sequence so the drill
 *   shows the scale-up's cost on its own;
 * - warm standby: a running replica and the recovery app at reduced capacity; promote;
 * - multi-site active/active: both Regions serve (DNS answers both); both apps write to the one
 *   writer, the primary database, and read their own Region's copy; the fault takes the primary
 *   out of the answers and promotion makes the recovery side take the writes.
 */
export const LAB_STRATEGIES = ['backup-restore', 'pilot-light', 'warm-standby', 'active-active'] as const;
export type LabStrategy = (typeof LAB_STRATEGIES)[number];

export interface StrategyShape {
  /** Instances of the recovery app before failover (0: it answers 503). */
  recoveryInstances: number;
  /** A streaming replica in the recovery Region; otherwise scheduled backups. */
  replica: boolean;
  /** DNS answers: failover records (one Region) or multivalue (every healthy Region). */
  answers: 'failover' | 'multivalue';
}

export interface RecoveryContext {
  /** Absent in a lab without a database: only the app steps run. */
  database: LabDatabase | undefined;
  recoveryApp: AppServer;
  truth: GroundTruth;
  /** Instances the recovery app runs at after scaling up. */
  capacity: number;
  /** How long instances take to start (the scale-up's modelled cost). */
  scaleUpDelayMs: number;
}

export function shapeOf(strategy: LabStrategy, capacity: number): StrategyShape {
  switch (strategy) {
    case 'backup-restore': return { recoveryInstances: 0, replica: false, answers: 'failover' };
    case 'pilot-light': return { recoveryInstances: 0, replica: true, answers: 'failover' };
    case 'warm-standby': return { recoveryInstances: 1, replica: true, answers: 'failover' };
    case 'active-active': return { recoveryInstances: capacity, replica: true, answers: 'multivalue' };
  }
}

/** The recovery steps of `strategy`, in order. */
export async function recover(strategy: LabStrategy, ctx: RecoveryContext): Promise<void> {
  switch (strategy) {
    case 'backup-restore':
      await ctx.database?.restoreLatest();
      return scaleUp(ctx);
    case 'pilot-light':
      await ctx.database?.promote();
      return scaleUp(ctx);
    case 'warm-standby':
    case 'active-active':
      await ctx.database?.promote();
  }
}

async function scaleUp({ recoveryApp, truth, capacity, scaleUpDelayMs }: RecoveryContext): Promise<void> {
  truth.record('scale-up-start', Date.now(), { from: recoveryApp.instances, to: capacity });
  await delay(scaleUpDelayMs); // instances starting
  recoveryApp.instances = capacity;
  truth.record('scale-up-end', Date.now(), { instances: capacity });
}

export function parseStrategy(text: string, source: string): LabStrategy {
  if ((LAB_STRATEGIES as readonly string[]).includes(text)) return text as LabStrategy;
  throw new FiredrillError('FIREDRILL_USAGE', `${source}: expected one of ${LAB_STRATEGIES.join(', ')}, got ${JSON.stringify(text)}`);
}
