import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { AWS_SERVICES, type AwsTarget } from '../aws/clients.js';
import { FiredrillError } from '../runtime/errors.js';
import { name } from './fields.js';
import { parseOrThrow } from './validate.js';

const region = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'expected a Region like "us-east-1"');

/**
 * A named target (`lab`, `staging`, …): which AWS accounts and Regions a drill may touch, where
 * the AWS calls go, and variables that scenarios use as `${vars.NAME}`.
 */
const environmentSchema = z.strictObject({
  description: z.string().optional(),
  aws: z.strictObject({
    accounts: z.array(z.string().regex(/^\d{12}$/, 'expected a 12-digit AWS account id')).min(1),
    regions: z.array(region).min(1),
    profile: z.string().optional(),
    endpoints: z.strictObject(Object.fromEntries(['default', ...AWS_SERVICES].map((service) => [service, z.url().optional()]))).optional(),
    /** Publish each drill's measurements as CloudWatch metrics (namespace Firedrill) in this Region. */
    metricsRegion: z.string().optional(),
  }).optional(),
  /** One drill at a time across machines: a lock item in this DynamoDB table (the file lock otherwise). */
  lock: z.strictObject({
    dynamodb: z.strictObject({
      table: z.string().regex(/^[A-Za-z0-9_.-]{3,255}$/, 'expected a DynamoDB table name (3-255 of A-Z a-z 0-9 _ . -)'),
      region,
    }),
  }).optional(),
  vars: z.record(z.string(), z.unknown()).default({}),
  /** A mistake here is expensive: `run` needs `--confirm <this environment's name>`. */
  confirm: z.boolean().default(false),
});

/**
 * Where the drill history is kept and how its records are signed, for every environment of the
 * config: a shared S3 bucket under Object Lock (else `<state-dir>/history.ndjson`), and a key
 * file or KMS key (else a key generated in the state folder).
 */
const historySchema = z.strictObject({
  s3: z.strictObject({
    bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'expected an S3 bucket name (3-63 of a-z 0-9 . -)'),
    prefix: z.string().regex(/^([^/].*\/)?$/, 'expected a key prefix that ends in "/" and does not start with one, like "firedrill/history/"').default('firedrill/history/'),
    region,
    /** Object Lock COMPLIANCE retention of each record, in days from when it is written. */
    retentionDays: z.number().int('expected a whole number of days').min(1).max(36_500),
    /** An emulator's endpoint (for S3 and KMS); else AWS_ENDPOINT_URL_S3 / the default. */
    endpoint: z.url().optional(),
  }).optional(),
  signing: z.union([
    z.strictObject({ keyFile: z.string().min(1) }),
    z.strictObject({ kms: z.strictObject({ keyId: z.string().min(1), region }) }),
  ], { error: 'expected { keyFile: PATH } (an Ed25519 private key) or { kms: { keyId, region } }' }).optional(),
});

export type HistoryConfig = z.infer<typeof historySchema>;

export const configSchema = z.strictObject({ environments: z.record(name, environmentSchema).default({}), history: historySchema.optional() });

export interface Environment {
  name: string;
  aws?: { accounts: string[]; regions: string[]; profile?: string; endpoints?: AwsTarget['endpoints']; credentials?: AwsTarget['credentials']; metricsRegion?: string };
  lock?: { dynamodb: { table: string; region: string } };
  /** `run` refuses unless given `--confirm <name>`. */
  confirm?: boolean;
  /** The environment's own variables, `${vars.NAME}` in a scenario: `vars:` in firedrill.config.yaml. */
  vars: Record<string, unknown>;
  /** The config file's `history` section (key files resolved against its folder). */
  history?: HistoryConfig;
  /** Variables an environment provider supplies under a name of its own: the lab's `${lab.appUrl}`. */
  namespaces?: Record<string, Record<string, unknown>>;
}

/** What `${…}` references in a scenario resolve against: `vars` and the provider's namespaces. */
export function variablesOf(env: Environment): Record<string, Record<string, unknown>> {
  return { ...env.namespaces, vars: env.vars };
}

export const CONFIG_FILE = 'firedrill.config.yaml';

export function loadEnvironments(configPath: string): Record<string, Environment> {
  const config = loadConfig(configPath);
  if (!config) return {};
  const history = config.history ? { history: config.history } : {};
  return Object.fromEntries(Object.entries(config.environments).map(([envName, env]) => [envName, { name: envName, ...(env.aws ? { aws: env.aws } : {}), ...(env.lock ? { lock: env.lock } : {}), ...(env.confirm ? { confirm: true } : {}), vars: env.vars, ...history }]));
}

/** The config file's `history` section, for commands that read the history without running a drill. */
export function loadHistoryConfig(configPath: string): HistoryConfig | undefined {
  return loadConfig(configPath)?.history;
}

function loadConfig(configPath: string): z.infer<typeof configSchema> | undefined {
  if (!existsSync(configPath)) return undefined;
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(configPath, 'utf8'));
  } catch (error) {
    throw new FiredrillError('FIREDRILL_ENVIRONMENT_INVALID', `${configPath}: not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  const config = parseOrThrow(configSchema, raw ?? {}, { file: configPath }, 'FIREDRILL_ENVIRONMENT_INVALID');
  const signing = config.history?.signing;
  if (signing && 'keyFile' in signing) signing.keyFile = resolve(dirname(configPath), signing.keyFile);
  return config;
}

/**
 * One environment of a `firedrill.config.yaml`, for a TypeScript drill: `config` is the file
 * (default `firedrill.config.yaml`), relative to `cwd` (default the working directory).
 */
export function loadEnvironment(name: string, options: { config?: string; cwd?: string } = {}): Environment {
  const configPath = configPathFrom(options.cwd ?? process.cwd(), options.config);
  if (!existsSync(configPath)) throw new FiredrillError('FIREDRILL_ENVIRONMENT_INVALID', `environment "${name}": no configuration file ${configPath}`);
  const environments = loadEnvironments(configPath);
  const environment = environments[name];
  if (!environment) throw new FiredrillError('FIREDRILL_ENVIRONMENT_INVALID', `${configPath}: environments: no environment named "${name}" (defined: ${Object.keys(environments).join(', ') || 'none'})`);
  return environment;
}

/** The AWS target for one Region of an environment. */
export function awsTargetOf(env: Environment, region: string): AwsTarget {
  return {
    region,
    ...(env.aws?.endpoints ? { endpoints: env.aws.endpoints } : {}),
    ...(env.aws?.profile ? { profile: env.aws.profile } : {}),
    ...(env.aws?.credentials ? { credentials: env.aws.credentials } : {}),
  };
}

export function configPathFrom(cwd: string, explicit?: string): string {
  return resolve(cwd, explicit ?? CONFIG_FILE);
}

/**
 * An environment that is not in the config file but comes from something running, such as the
 * lab: the harness asks providers by name and never knows what stands behind them.
 */
export interface EnvironmentProvider {
  readonly name: string;
  /** The environment as it is now; throws FIREDRILL_ENVIRONMENT_INVALID, saying how to start it, when it is not there. */
  resolve(options: { stateDir: string }): Environment;
  /** The same environment with stand-in values, to validate a scenario while nothing is running (a pre-merge CI job). */
  placeholder?(): Environment;
}

/** The environment a command runs in: from the config file, else from the provider of that name. */
export function resolveEnvironment(name: string, options: { cwd: string; config?: string; stateDir: string; providers?: readonly EnvironmentProvider[]; onNotRunning?: 'placeholder' }): Environment & { placeholder?: true } {
  const configPath = configPathFrom(options.cwd, options.config);
  const configured = loadEnvironments(configPath)[name];
  if (configured) return configured;
  const provider = options.providers?.find((p) => p.name === name);
  if (provider) {
    const history = loadHistoryConfig(configPath);
    const withHistory = <E extends Environment>(env: E): E => (history ? { ...env, history } : env);
    try {
      return withHistory(provider.resolve({ stateDir: options.stateDir }));
    } catch (error) {
      if (options.onNotRunning !== 'placeholder' || !provider.placeholder) throw error;
      return withHistory({ ...provider.placeholder(), placeholder: true as const });
    }
  }
  throw new FiredrillError('FIREDRILL_ENVIRONMENT_INVALID', `unknown environment "${name}": define it under "environments" in ${configPath}${options.providers?.length ? `, or use ${options.providers.map((p) => `"${p.name}"`).join(' or ')}` : ''}`);
}
