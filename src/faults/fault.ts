import type { z } from 'zod';
import type { Clock } from '../core/clock.js';
import type { JsonObject } from '../core/json.js';
import type { Instant } from '../core/measurement.js';
import type { AwsChange } from '../aws/change-log.js';
import type { Grant, PermissionScope, ServiceRole } from '../aws/permissions.js';

export interface FaultContext {
  clock: Clock;
  /** Aborted when the drill is interrupted while the fault is being injected. */
  signal: AbortSignal;
  drillId: string;
  /**
   * Persist what is needed to revert this fault (an experiment id, a record's old value) to the
   * journal before the change takes effect, so `firedrill cleanup` can undo it if we die. Call it
   * before the first call that changes anything: a fault that remembered nothing is taken to
   * have changed nothing, and is not reverted.
   */
  remember(state: JsonObject): Promise<void>;
  log(message: string): void;
  /** The drill's log of AWS changes, for the clients the fault makes (`recordingInto`); cleanup has none. */
  awsChanges?: AwsChange[];
}

export interface Injection {
  /** When the fault really took effect, with the uncertainty of how we know. */
  at: Instant;
  /** Everything `revert` and `verifyReverted` need; also what the journal keeps. */
  state: JsonObject;
  detail?: Record<string, unknown>;
}

/**
 * One kind of fault, in one file: its settings, and stateless inject / revert / verify, so that
 * the same code reverts a fault in the drill that made it and, from the journal, in
 * `firedrill cleanup` after that drill died.
 */
export interface FaultKind<Settings> {
  readonly kind: string;
  readonly settings: z.ZodType<Settings>;
  /** Each call that would change something, in order, for `firedrill plan`. */
  plan(settings: Settings): string[];
  inject(settings: Settings, ctx: FaultContext): Promise<Injection>;
  /** Undo the fault; safe to call twice and on a fault that was only partly injected. */
  revert(settings: Settings, state: JsonObject, ctx: FaultContext): Promise<Instant | void>;
  /** Throws, saying what is still wrong, unless the fault is really gone. */
  verifyReverted(settings: Settings, state: JsonObject, ctx: FaultContext): Promise<void>;
  /**
   * Optional: a fault that reverts by itself unless renewed (a lease) is renewed every
   * `leaseRenewEveryMs` while the drill lives, so a drill that is killed leaves nothing behind.
   */
  leaseRenewEveryMs?(settings: Settings): number;
  renewLease?(settings: Settings, state: JsonObject, ctx: FaultContext): Promise<void>;
  /** Optional: the IAM permissions its AWS calls need (for `firedrill iam-policy`); none when absent. */
  permissions?(settings: Settings, scope: PermissionScope): Grant[];
  /** Optional: roles a service assumes for it (FIS's experiment role), shown apart from the drill's own policy. */
  serviceRoles?(settings: Settings): ServiceRole[];
  /** Optional: the fault's own record after the drill (an FIS experiment as FIS describes it), kept as evidence. */
  evidence?(settings: Settings, state: JsonObject, ctx: FaultContext): Promise<JsonObject>;
}
