import { FiredrillError } from '../runtime/errors.js';
import type { Environment } from './environment.js';
import type { AdapterSection, LoadedScenario } from './load.js';
import { formatPath } from './validate.js';

const ARN = /^arn:aws[\w-]*:[\w-]+:([a-z0-9-]*):(\d{12})?:/;
/** An SQS queue URL names its account in the path, and its Region in an AWS host name: `https://sqs.REGION.amazonaws.com/ACCOUNT/NAME`. */
const QUEUE_URL = /^https?:\/\/(?:sqs\.([a-z0-9-]+)\.amazonaws\.com[^/]*|[^/]+)\/(\d{12})\/[^/]+$/;

/**
 * Every Region and account a scenario would touch must be on its environment's allow-list.
 * Regions come from `region` fields, Regions and accounts from ARNs and SQS queue URLs
 * (`queueUrl`), anywhere in an adapter's settings. Checked before anything runs, so a scenario aimed at the wrong account changes nothing.
 */
export function allowListProblems(scenario: LoadedScenario, env: Environment): string[] {
  const allowed = env.aws;
  const problems: string[] = [];
  const visit = (value: unknown, path: PropertyKey[]) => {
    if (typeof value === 'string') {
      const named = ARN.exec(value) ?? (path.at(-1) === 'queueUrl' ? QUEUE_URL.exec(value) : null);
      if (named && allowed) {
        if (named[1] && !allowed.regions.includes(named[1])) problems.push(`${formatPath(path)}: Region ${named[1]} in ${value} is not allowed in environment "${env.name}" (allowed: ${allowed.regions.join(', ')})`);
        if (named[2] && !allowed.accounts.includes(named[2])) problems.push(`${formatPath(path)}: account ${named[2]} in ${value} is not allowed in environment "${env.name}" (allowed: ${allowed.accounts.join(', ')})`);
      }
      return;
    }
    if (Array.isArray(value)) return value.forEach((item, i) => visit(item, [...path, i]));
    if (value && typeof value === 'object') {
      for (const [key, inner] of Object.entries(value)) {
        if (key === 'region' && typeof inner === 'string') {
          if (!allowed) problems.push(`${formatPath([...path, key])}: Region ${inner} is used but environment "${env.name}" has no aws allow-list`);
          else if (!allowed.regions.includes(inner)) problems.push(`${formatPath([...path, key])}: Region ${inner} is not allowed in environment "${env.name}" (allowed: ${allowed.regions.join(', ')})`);
        } else visit(inner, [...path, key]);
      }
    }
  };
  for (const section of Object.keys(scenario.entries) as AdapterSection[]) {
    scenario.entries[section].forEach((entry, i) => visit(entry.settings, [section, i]));
  }
  return problems.map((p) => `${scenario.file}: ${p}`);
}

export function assertAllowed(scenario: LoadedScenario, env: Environment): void {
  const problems = allowListProblems(scenario, env);
  if (problems.length) throw new FiredrillError('FIREDRILL_NOT_ALLOWED', `${scenario.file} would touch AWS resources outside environment "${env.name}":`, problems);
}
