import type { z } from 'zod';
import type { AwsTarget } from '../aws/clients.js';
import type { Grant, PermissionScope } from '../aws/permissions.js';
import type { FaultKind } from '../faults/fault.js';
import type { Canary } from '../probes/canary.js';
import type { Probe } from '../probes/probe.js';
import type { Environment } from '../scenario/environment.js';
import type { KindSchemas } from '../scenario/load.js';
import type { Signal } from '../signals/signal.js';

/** What adapters get from the environment they run in. */
export interface AdapterEnv {
  environment: Environment;
  awsTarget(region: string): AwsTarget;
}

/** A probe, signal or canary kind: its settings schema and a factory given the settings as written. */
export interface AdapterKind<Written, Made> {
  settings: z.ZodType<unknown, Written>;
  create(name: string, settings: Written, env: AdapterEnv): Made;
  /** The IAM permissions its AWS calls need (for `firedrill iam-policy`); none when absent. */
  permissions?(settings: Written, scope: PermissionScope): Grant[];
}

/**
 * Every kind a scenario may name, by section. Kinds are listed in one explicit map (see
 * `builtinKinds`), checked by the compiler; nothing registers itself at import time.
 */
export interface Kinds {
  probes: Record<string, AdapterKind<any, Probe>>;
  signals: Record<string, AdapterKind<any, Signal>>;
  canaries: Record<string, AdapterKind<any, Canary>>;
  faults: Record<string, FaultKind<any>>;
  /** Recovery steps: changes with an undo, run at a milestone (the manual DNS switch, a pin). */
  steps: Record<string, FaultKind<any>>;
}

export function schemasOf(kinds: Kinds): KindSchemas {
  const pick = (record: Record<string, { settings: z.ZodType<unknown> }>) =>
    Object.fromEntries(Object.entries(record).map(([k, v]) => [k, v.settings]));
  return { probes: pick(kinds.probes), signals: pick(kinds.signals), canaries: pick(kinds.canaries), faults: pick(kinds.faults), steps: pick(kinds.steps) };
}
