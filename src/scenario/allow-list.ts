import { FiredrillError } from '../runtime/errors.js';
import type { Environment } from './environment.js';
import type { AdapterSection, LoadedScenario } from './load.js';
import { formatPath } from './validate.js';

/** An ARN anywhere in a string (FIS `documentParameters` hold ARNs inside JSON text). */
const ARN = /arn:aws[\w-]*:[\w-]+:([a-z0-9-]*):(\d{12})?:/g;
/** An SQS queue URL names its account in the path, and its Region in an AWS host name: `https://sqs.REGION.amazonaws.com/ACCOUNT/NAME`. */
const QUEUE_URL = /^https?:\/\/(?:sqs\.([a-z0-9-]+)\.amazonaws\.com[^/]*|[^/]+)\/(\d{12})\/[^/]+$/;

/** A Region or account a scenario names, and where. */
interface AwsReference {
  path: PropertyKey[];
  region?: string;
  account?: string;
  /** The ARN it was read from; none for a `region` field. */
  arn?: string;
}

/**
 * Every Region and account an adapter's settings name: `region` and `account` fields, and the Region and
 * account of every ARN (in FIS templates too, from `templateFile` as from `inlineTemplate`) and
 * SQS queue URL (`queueUrl`).
 */
function awsReferencesOf(scenario: LoadedScenario): AwsReference[] {
  const found: AwsReference[] = [];
  const visit = (value: unknown, path: PropertyKey[]) => {
    if (typeof value === 'string') {
      for (const arn of value.matchAll(ARN)) found.push({ path, arn: value, ...(arn[1] ? { region: arn[1] } : {}), ...(arn[2] ? { account: arn[2] } : {}) });
      const queue = path.at(-1) === 'queueUrl' ? QUEUE_URL.exec(value) : null;
      if (queue) found.push({ path, arn: value, ...(queue[1] ? { region: queue[1] } : {}), ...(queue[2] ? { account: queue[2] } : {}) });
      return;
    }
    if (Array.isArray(value)) return value.forEach((item, i) => visit(item, [...path, i]));
    if (value && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        if (key === 'region' && typeof inner === 'string') found.push({ path: [...path, key], region: inner });
        else if (key === 'account' && typeof inner === 'string') found.push({ path: [...path, key], account: inner });
        else visit(inner, [...path, key]);
      }
    }
  };
  for (const section of Object.keys(scenario.entries) as AdapterSection[]) {
    scenario.entries[section].forEach((entry, i) => visit(entry.settings, [section, i]));
  }
  return found;
}

/**
 * Every Region and account a scenario would touch must be on its environment's allow-list.
 * Checked before anything runs, so a scenario aimed at the wrong account changes nothing.
 * The account the credentials belong to is checked in preflight (`src/aws/identity.ts`).
 */
export function allowListProblems(scenario: LoadedScenario, env: Environment): string[] {
  const allowed = env.aws;
  const problems: string[] = [];
  for (const { path, region, account, arn } of awsReferencesOf(scenario)) {
    const where = formatPath(path);
    if (!arn) {
      if (!allowed) problems.push(`${where}: ${region !== undefined ? `Region ${region}` : `account ${account}`} is used but environment "${env.name}" has no aws allow-list`);
      else if (region !== undefined && !allowed.regions.includes(region)) problems.push(`${where}: Region ${region} is not allowed in environment "${env.name}" (allowed: ${allowed.regions.join(', ')})`);
      else if (account !== undefined && !allowed.accounts.includes(account)) problems.push(`${where}: account ${account} is not allowed in environment "${env.name}" (allowed: ${allowed.accounts.join(', ')})`);
      continue;
    }
    if (!allowed) continue;
    if (region && !allowed.regions.includes(region)) problems.push(`${where}: Region ${region} in ${arn} is not allowed in environment "${env.name}" (allowed: ${allowed.regions.join(', ')})`);
    if (account && !allowed.accounts.includes(account)) problems.push(`${where}: account ${account} in ${arn} is not allowed in environment "${env.name}" (allowed: ${allowed.accounts.join(', ')})`);
  }
  return problems.map((p) => `${scenario.file}: ${p}`);
}

export function assertAllowed(scenario: LoadedScenario, env: Environment): void {
  const problems = allowListProblems(scenario, env);
  if (problems.length) throw new FiredrillError('FIREDRILL_NOT_ALLOWED', `${scenario.file} would touch AWS resources outside environment "${env.name}":`, problems);
}

/**
 * The Regions a drill's AWS calls go to: those its settings name, the lock's and the metrics
 * Region; the environment's first Region when it names none, so the caller is still known.
 */
export function regionsUsedBy(scenario: LoadedScenario, env: Environment): string[] {
  const named = awsReferencesOf(scenario).map((r) => r.region).filter((r): r is string => r !== undefined);
  const extra = [env.lock?.dynamodb.region, env.aws?.metricsRegion].filter((r): r is string => r !== undefined);
  const regions = [...new Set([...named, ...extra])];
  return regions.length || !env.aws ? regions : [env.aws.regions[0]!];
}
