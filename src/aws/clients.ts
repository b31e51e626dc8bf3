import { BackupClient } from '@aws-sdk/client-backup';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { FisClient } from '@aws-sdk/client-fis';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { RDSClient } from '@aws-sdk/client-rds';
import { Route53Client } from '@aws-sdk/client-route-53';
import { STSClient } from '@aws-sdk/client-sts';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';

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
}

export const AWS_SERVICES = ['fis', 'route53', 'cloudwatch', 'dynamodb', 'ecs', 'rds', 'sqs', 'backup', 'lambda', 's3', 'sts', 'ecr', 'cloudformation'] as const;
export type AwsService = typeof AWS_SERVICES[number];

/** The SDK's own names for AWS_ENDPOINT_URL_<SERVICE> (the service id, upper-case, spaces as underscores). */
const ENV_SUFFIX: Record<AwsService, string> = {
  fis: 'FIS', route53: 'ROUTE_53', cloudwatch: 'CLOUDWATCH', dynamodb: 'DYNAMODB', ecs: 'ECS', rds: 'RDS', sqs: 'SQS', backup: 'BACKUP', lambda: 'LAMBDA', s3: 'S3', sts: 'STS', ecr: 'ECR', cloudformation: 'CLOUDFORMATION',
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
  return new FisClient(clientConfig(target, 'fis'));
}

export function route53Client(target: AwsTarget): Route53Client {
  return new Route53Client(clientConfig(target, 'route53'));
}

export function cloudWatchClient(target: AwsTarget): CloudWatchClient {
  return new CloudWatchClient(clientConfig(target, 'cloudwatch'));
}

export function dynamoDbClient(target: AwsTarget): DynamoDBClient {
  return new DynamoDBClient(clientConfig(target, 'dynamodb'));
}

export function stsClient(target: AwsTarget): STSClient {
  return new STSClient(clientConfig(target, 'sts'));
}

export function ecsClient(target: AwsTarget): ECSClient {
  return new ECSClient(clientConfig(target, 'ecs'));
}

export function rdsClient(target: AwsTarget): RDSClient {
  return new RDSClient(clientConfig(target, 'rds'));
}

export function sqsClient(target: AwsTarget): SQSClient {
  return new SQSClient(clientConfig(target, 'sqs'));
}

export function backupClient(target: AwsTarget): BackupClient {
  return new BackupClient(clientConfig(target, 'backup'));
}

export function lambdaClient(target: AwsTarget): LambdaClient {
  return new LambdaClient(clientConfig(target, 'lambda'));
}

export function ecrClient(target: AwsTarget): ECRClient {
  return new ECRClient(clientConfig(target, 'ecr'));
}

export function cloudFormationClient(target: AwsTarget): CloudFormationClient {
  return new CloudFormationClient(clientConfig(target, 'cloudformation'));
}

/** Path-style addressing, so a bucket on an emulator's endpoint is `endpoint/bucket`, not a DNS name. */
export function s3Client(target: AwsTarget): S3Client {
  return new S3Client({ ...clientConfig(target, 's3'), forcePathStyle: Boolean(endpointFor(target, 's3')) });
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
