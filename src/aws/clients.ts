import { BackupClient } from '@aws-sdk/client-backup';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { FisClient } from '@aws-sdk/client-fis';
import { KMSClient } from '@aws-sdk/client-kms';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { RDSClient } from '@aws-sdk/client-rds';
import { Route53Client } from '@aws-sdk/client-route-53';
import { STSClient } from '@aws-sdk/client-sts';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { changesSomething, type AwsChange } from './change-log.js';

/**
 * Where an adapter's AWS calls go. A drill spans Regions (primary and recovery), so each adapter
 * gets its own; endpoints are overridden for emulators. Credentials come from the default
 * chain (environment, shared files, SSO, instance roles) or a named profile.
 */
export interface AwsTarget {
  region: string;
  /** Per-service endpoint overrides; `default` applies to every service. */
  endpoints?: Partial<Record<AwsService | 'default', string>>;
  profile?: string;
  /** Static credentials, for emulators only (moto accepts any). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Attempts per call, including the first; throttling and 5xx are retried with backoff. */
  maxAttempts?: number;
  /** The drill's log of AWS changes: a client for this target adds every call that changes something. */
  changeLog?: AwsChange[];
}

/** `target`, its clients recording into `changeLog` when there is one (a drill's; cleanup has none). */
export function recordingInto(target: AwsTarget, changeLog: AwsChange[] | undefined): AwsTarget {
  return changeLog ? { ...target, changeLog } : target;
}

export const AWS_SERVICES = ['fis', 'route53', 'cloudwatch', 'dynamodb', 'ecs', 'rds', 'sqs', 'backup', 'lambda', 's3', 'sts', 'ecr', 'cloudformation', 'kms'] as const;
export type AwsService = typeof AWS_SERVICES[number];

/** The SDK's own names for AWS_ENDPOINT_URL_<SERVICE> (the service id, upper-case, spaces as underscores). */
const ENV_SUFFIX: Record<AwsService, string> = {
  fis: 'FIS', route53: 'ROUTE_53', cloudwatch: 'CLOUDWATCH', dynamodb: 'DYNAMODB', ecs: 'ECS', rds: 'RDS', sqs: 'SQS', backup: 'BACKUP', lambda: 'LAMBDA', s3: 'S3', sts: 'STS', ecr: 'ECR', cloudformation: 'CLOUDFORMATION', kms: 'KMS',
};

/** The endpoint a service's calls go to: configuration, then AWS_ENDPOINT_URL_<SERVICE>, then AWS_ENDPOINT_URL. */
export function endpointFor(target: AwsTarget, service: AwsService, env: NodeJS.ProcessEnv = process.env): string | undefined {
  return target.endpoints?.[service] ?? target.endpoints?.default ?? env[`AWS_ENDPOINT_URL_${ENV_SUFFIX[service]}`] ?? env.AWS_ENDPOINT_URL;
}

function clientConfig(target: AwsTarget, service: AwsService) {
  const endpoint = endpointFor(target, service);
  return {
    region: target.region,
    maxAttempts: target.maxAttempts ?? 5,
    retryMode: 'standard' as const,
    ...(endpoint ? { endpoint } : {}),
    ...(target.credentials ? { credentials: target.credentials } : {}),
    ...(target.profile ? { profile: target.profile } : {}),
  };
}

export function fisClient(target: AwsTarget): FisClient {
  return recordingChanges(new FisClient(clientConfig(target, 'fis')), target);
}

export function route53Client(target: AwsTarget): Route53Client {
  return recordingChanges(new Route53Client(clientConfig(target, 'route53')), target);
}

export function cloudWatchClient(target: AwsTarget): CloudWatchClient {
  return recordingChanges(new CloudWatchClient(clientConfig(target, 'cloudwatch')), target);
}

export function dynamoDbClient(target: AwsTarget): DynamoDBClient {
  return recordingChanges(new DynamoDBClient(clientConfig(target, 'dynamodb')), target);
}

export function stsClient(target: AwsTarget): STSClient {
  return recordingChanges(new STSClient(clientConfig(target, 'sts')), target);
}

export function ecsClient(target: AwsTarget): ECSClient {
  return recordingChanges(new ECSClient(clientConfig(target, 'ecs')), target);
}

export function rdsClient(target: AwsTarget): RDSClient {
  return recordingChanges(new RDSClient(clientConfig(target, 'rds')), target);
}

export function sqsClient(target: AwsTarget): SQSClient {
  return recordingChanges(new SQSClient(clientConfig(target, 'sqs')), target);
}

export function backupClient(target: AwsTarget): BackupClient {
  return recordingChanges(new BackupClient(clientConfig(target, 'backup')), target);
}

export function lambdaClient(target: AwsTarget): LambdaClient {
  return recordingChanges(new LambdaClient(clientConfig(target, 'lambda')), target);
}

export function ecrClient(target: AwsTarget): ECRClient {
  return recordingChanges(new ECRClient(clientConfig(target, 'ecr')), target);
}

export function cloudFormationClient(target: AwsTarget): CloudFormationClient {
  return recordingChanges(new CloudFormationClient(clientConfig(target, 'cloudformation')), target);
}

/** Path-style addressing, so a bucket on an emulator's endpoint is `endpoint/bucket`, not a DNS name. */
export function s3Client(target: AwsTarget): S3Client {
  return recordingChanges(new S3Client({ ...clientConfig(target, 's3'), forcePathStyle: Boolean(endpointFor(target, 's3')) }), target);
}

export function kmsClient(target: AwsTarget): KMSClient {
  return recordingChanges(new KMSClient(clientConfig(target, 'kms')), target);
}

interface ResponseMetadata { $metadata?: { requestId?: string; httpStatusCode?: number } }

/**
 * Adds every call that changes something to the target's change log (`src/aws/change-log.ts`):
 * service, operation, Region, time and the request id AWS answered with.
 */
function recordingChanges<Client extends { middlewareStack: { add(middleware: unknown, options: { step: 'initialize'; name: string }): void } }>(client: Client, target: AwsTarget): Client {
  const { changeLog: log, region } = target;
  if (!log) return client;
  const middleware = (next: (args: unknown) => Promise<{ output: ResponseMetadata }>, context: { clientName?: string; commandName?: string }) => async (args: unknown) => {
    const operation = (context.commandName ?? '').replace(/Command$/, '');
    if (!changesSomething(operation)) return next(args);
    const change = { service: (context.clientName ?? '').replace(/Client$/, ''), operation, region, at: new Date().toISOString() };
    try {
      const answer = await next(args);
      log.push({ ...change, requestId: answer.output.$metadata?.requestId ?? null, httpStatus: answer.output.$metadata?.httpStatusCode ?? null });
      return answer;
    } catch (error) {
      const meta = (error as ResponseMetadata).$metadata;
      log.push({ ...change, requestId: meta?.requestId ?? null, httpStatus: meta?.httpStatusCode ?? null, error: (error as Error).name });
      throw error;
    }
  };
  client.middlewareStack.add(middleware, { step: 'initialize', name: 'firedrillChangeLog' });
  return client;
}

/** The target for a local emulator: any credentials, one endpoint for every service. */
export function emulatorTarget(endpoint: string, region: string): AwsTarget {
  return { region, endpoints: { default: endpoint }, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, maxAttempts: 5 };
}

/** Runs `use` with `client` and destroys the client after, whatever happens. */
export async function withClient<Client extends { destroy(): void }, T>(client: Client, use: (client: Client) => Promise<T>): Promise<T> {
  try {
    return await use(client);
  } finally {
    client.destroy();
  }
}
