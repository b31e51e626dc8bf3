import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { FisClient } from '@aws-sdk/client-fis';
import { Route53Client } from '@aws-sdk/client-route-53';
import { STSClient } from '@aws-sdk/client-sts';

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

export type AwsService = 'fis' | 'route53' | 'cloudwatch' | 'dynamodb' | 'sts';

const ENV_SUFFIX: Record<AwsService, string> = { fis: 'FIS', route53: 'ROUTE_53', cloudwatch: 'CLOUDWATCH', dynamodb: 'DYNAMODB', sts: 'STS' };

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

/** The target for a local emulator: any credentials, one endpoint for every service. */
export function emulatorTarget(endpoint: string, region: string): AwsTarget {
  return { region, endpoints: { default: endpoint }, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, maxAttempts: 5 };
}
