import { metricsPermissions } from '../report/cloudwatch-metrics.js';
import { historyPermissions } from '../report/history-config.js';
import type { Kinds } from '../runner/kinds.js';
import type { Environment } from '../scenario/environment.js';
import type { AdapterSection, LoadedScenario } from '../scenario/load.js';
import { lockPermissions } from './dynamodb-lock.js';
import { callerIdentityPermissions } from './identity.js';
import type { Grant, PermissionScope, ServiceRole } from './permissions.js';

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

/** The drill's own least-privilege policy, and the service roles whose needs are the services'. */
export interface DrillPolicy {
  policy: PolicyDocument;
  /** Statements only `firedrill cleanup` (or a revert after a crash) uses, by Sid. */
  cleanupOnly: string[];
  serviceRoles: ServiceRole[];
  /** The history's statements, by Sid: its S3 and KMS calls use the default credential chain, not the environment's profile. */
  history: string[];
  /** The scenario's entries whose kind declares no permissions (a kind of the caller's own): the policy may lack what they need. */
  undeclared: string[];
}

/**
 * Every grant the drill's kinds declare for their settings, plus the caller check, the DynamoDB
 * lock, the CloudWatch metrics and the shared history (its S3 bucket, its KMS signing key) when
 * the environment uses them. The same grant from two
 * entries is one statement; grants that differ only in their resources are merged.
 */
export function iamPolicyFor(scenario: LoadedScenario, environment: Environment, kinds: Kinds): DrillPolicy {
  const scope: PermissionScope = { accounts: environment.aws?.accounts ?? [] };
  const grants: Grant[] = [];
  const serviceRoles: ServiceRole[] = [];
  if (environment.aws) grants.push(...callerIdentityPermissions());
  if (environment.lock) grants.push(...lockPermissions(environment.lock.dynamodb, environment.name, scope));
  if (environment.aws?.metricsRegion) grants.push(...metricsPermissions());
  const history = historyPermissions(environment.history, scope);
  grants.push(...history);
  const undeclared: string[] = [];
  const declare = (section: AdapterSection, entry: { name: string; kind: string }, kind: Pick<Kinds['signals'][string], 'permissions'>, settings: unknown) => {
    if (!kind.permissions) undeclared.push(`${section}: ${entry.name} (kind ${entry.kind})`);
    grants.push(...(kind.permissions?.(settings, scope) ?? []));
  };
  for (const section of ['faults', 'steps'] as const) {
    for (const entry of scenario.entries[section]) {
      const kind = kinds[section][entry.kind]!;
      declare(section, entry, kind, entry.settings);
      serviceRoles.push(...(kind.serviceRoles?.(entry.settings) ?? []));
    }
  }
  for (const section of ['probes', 'signals', 'canaries'] as const satisfies readonly AdapterSection[]) {
    for (const entry of scenario.entries[section]) declare(section, entry, kinds[section][entry.kind]!, entry.written);
  }
  const statements = mergeGrants(grants);
  return {
    policy: { Version: '2012-10-17', Statement: statements.map((s) => s.statement) },
    cleanupOnly: statements.filter((s) => s.cleanupOnly).map((s) => s.statement.Sid),
    serviceRoles: uniqueBy(serviceRoles, (role) => JSON.stringify(role)),
    history: history.map((grant) => grant.purpose),
    undeclared,
  };
}

function mergeGrants(grants: Grant[]): { statement: PolicyStatement; cleanupOnly: boolean }[] {
  const merged = new Map<string, { statement: PolicyStatement; cleanupOnly: boolean }>();
  for (const grant of grants) {
    const key = JSON.stringify([grant.purpose, [...grant.actions].sort(), grant.condition ?? null]);
    const existing = merged.get(key);
    if (existing) {
      existing.statement.Resource = [...new Set([...existing.statement.Resource, ...grant.resources])];
      continue;
    }
    const sids = [...merged.values()].map((m) => m.statement.Sid);
    const sid = sids.includes(grant.purpose) ? `${grant.purpose}${sids.filter((s) => s.startsWith(grant.purpose)).length + 1}` : grant.purpose;
    merged.set(key, {
      statement: { Sid: sid, Effect: 'Allow', Action: [...grant.actions], Resource: [...new Set(grant.resources)], ...(grant.condition ? { Condition: grant.condition } : {}) },
      cleanupOnly: grant.cleanupOnly === true,
    });
  }
  return [...merged.values()];
}

function uniqueBy<T>(items: T[], keyOf: (item: T) => string): T[] {
  return [...new Map(items.map((item) => [keyOf(item), item])).values()];
}
