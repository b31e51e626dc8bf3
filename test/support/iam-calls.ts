import type { PolicyDocument, PolicyStatement } from '../../src/aws/iam-policy.js';
import type { ProxiedRequest } from './http-fault-proxy.js';

/**
 * A request recorded on its way to the emulator, read the way IAM authorizes it: the action and
 * each resource it is checked on (some calls are checked on two: a global-cluster failover on
 * the global cluster and on the new writer). Only what firedrill's own calls send is known.
 */
export interface AwsCall {
  action: string;
  resource: string;
}

/** Authorization AWS checks inside another call, which has no request of its own to record. */
export const AUTHORIZATION_ONLY = ['iam:PassRole', 's3:PutObjectRetention', 's3:GetObjectRetention'];

export function iamCallsOf(request: ProxiedRequest, account: string): AwsCall[] {
  const read = READERS[request.service];
  if (!read) throw new Error(`unexpected AWS call ${request.service} ${request.method} ${request.path}`);
  const calls = read(request, (service, resource) => `arn:aws:${service}:${request.region}:${account}:${resource}`, account);
  if (!calls.length) throw new Error(`unknown ${request.service} call ${request.operation} ${request.method} ${request.path}`);
  return calls;
}

/** IAM's wildcards: `*` any run of characters, `?` one; actions compare case-insensitively. */
function matches(pattern: string, value: string, ignoreCase = false): boolean {
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, ignoreCase ? 'i' : '');
  return regex.test(value);
}

export function allowingStatement(statements: PolicyStatement[], call: AwsCall): PolicyStatement | undefined {
  return statements.find((s) => s.Action.some((a) => matches(a, call.action, true)) && s.Resource.some((r) => matches(r, call.resource)));
}

/** The calls no statement allows, as "action on resource". */
export function deniedCalls(policy: PolicyDocument, calls: AwsCall[]): string[] {
  return calls.filter((call) => !allowingStatement(policy.Statement, call)).map((c) => `${c.action} on ${c.resource}`);
}

/** The actions granted that no call made (authorization-only actions aside), and the actions called that were not granted. */
export function grantedVersusCalled(policy: PolicyDocument, calls: AwsCall[]): { granted: string[]; called: string[] } {
  const granted = new Set(policy.Statement.flatMap((s) => s.Action).filter((a) => !AUTHORIZATION_ONLY.includes(a)));
  return { granted: [...granted].sort(), called: [...new Set(calls.map((c) => c.action))].sort() };
}

type Arn = (service: string, resource: string) => string;
type Reader = (request: ProxiedRequest, arn: Arn, account: string) => AwsCall[];

const json = (request: ProxiedRequest): Record<string, unknown> => (request.body ? JSON.parse(request.body) as Record<string, unknown> : {});
const form = (request: ProxiedRequest) => new URLSearchParams(request.body);
const pathOf = (request: ProxiedRequest) => decodeURIComponent(request.path.split('?')[0]!);
const queryOf = (request: ProxiedRequest) => new URLSearchParams(request.path.split('?')[1] ?? '');
const call = (action: string, ...resources: string[]): AwsCall[] => resources.map((resource) => ({ action, resource }));
const named = (idOrArn: string, arnOfName: (name: string) => string) => (idOrArn.startsWith('arn:') ? idOrArn : arnOfName(idOrArn));

const READERS: Record<string, Reader> = {
  sts: (r) => call(`sts:${r.operation}`, '*'),
  fis(r, arn) {
    const [, collection, id] = pathOf(r).split('/');
    const template = collection === 'experimentTemplates';
    const resource = arn('fis', `${template ? 'experiment-template' : 'experiment'}/${id ?? 'new'}`);
    if (r.method === 'POST') return call(template ? 'fis:CreateExperimentTemplate' : 'fis:StartExperiment', resource);
    if (r.method === 'DELETE') return call(template ? 'fis:DeleteExperimentTemplate' : 'fis:StopExperiment', resource);
    return id ? call(`fis:Get${template ? 'ExperimentTemplate' : 'Experiment'}`, resource) : call(`fis:List${template ? 'ExperimentTemplates' : 'Experiments'}`, '*');
  },
  route53(r) {
    const zone = /\/hostedzone\/([^/]+)\/rrset/.exec(pathOf(r));
    if (zone) return call(r.method === 'POST' ? 'route53:ChangeResourceRecordSets' : 'route53:ListResourceRecordSets', `arn:aws:route53:::hostedzone/${zone[1]}`);
    const change = /\/change\/([^/]+)/.exec(pathOf(r));
    return change ? call('route53:GetChange', `arn:aws:route53:::change/${change[1]}`) : [];
  },
  monitoring(r, arn) {
    if (r.operation === 'PutMetricData' || r.operation === 'GetMetricData') return call(`cloudwatch:${r.operation}`, '*');
    const body = r.protocol === 'awsJson' ? json(r) : Object.fromEntries(form(r));
    const alarm = (body.AlarmName ?? (body.AlarmNames as string[] | undefined)?.[0] ?? body['AlarmNames.member.1']) as string;
    return call(`cloudwatch:${r.operation}`, arn('cloudwatch', `alarm:${alarm}`));
  },
  sqs(r, arn) {
    const [account, queue] = new URL(json(r).QueueUrl as string).pathname.split('/').filter(Boolean).slice(-2);
    const action = r.operation === 'DeleteMessageBatch' ? 'DeleteMessage' : r.operation;
    return call(`sqs:${action}`, `arn:aws:sqs:${r.region}:${account}:${queue}`);
  },
  rds(r, arn, account) {
    const params = form(r);
    const operation = params.get('Action')!;
    const cluster = (id: string) => named(id, (name) => arn('rds', `cluster:${name}`));
    const globalCluster = `arn:aws:rds::${account}:global-cluster:${params.get('GlobalClusterIdentifier')}`;
    if (params.has('GlobalClusterIdentifier')) {
      return call(`rds:${operation}`, globalCluster, ...(params.has('TargetDbClusterIdentifier') ? [cluster(params.get('TargetDbClusterIdentifier')!)] : []));
    }
    if (params.has('DBClusterIdentifier')) return call(`rds:${operation}`, cluster(params.get('DBClusterIdentifier')!));
    if (params.has('DBInstanceIdentifier')) return call(`rds:${operation}`, named(params.get('DBInstanceIdentifier')!, (name) => arn('rds', `db:${name}`)));
    return [];
  },
  lambda(r, arn) {
    const name = /\/functions\/(.+)\/invocations$/.exec(pathOf(r))?.[1];
    if (!name) return [];
    const qualifier = queryOf(r).get('Qualifier');
    return call('lambda:InvokeFunction', `${named(name, (n) => arn('lambda', `function:${n}`))}${qualifier ? `:${qualifier}` : ''}`);
  },
  s3(r) {
    const [, bucket, ...key] = pathOf(r).split('/');
    const query = queryOf(r);
    const object = `arn:aws:s3:::${bucket}/${key.join('/')}`;
    if (key.length && key.join('/')) {
      if (r.method === 'PUT') return call('s3:PutObject', object);
      return call(query.has('versionId') ? 's3:GetObjectVersion' : 's3:GetObject', object);
    }
    const bucketArn = `arn:aws:s3:::${bucket}`;
    if (query.has('replication')) return call('s3:GetReplicationConfiguration', bucketArn);
    if (query.has('object-lock')) return call('s3:GetBucketObjectLockConfiguration', bucketArn);
    if (query.has('versions')) return call('s3:ListBucketVersions', bucketArn);
    return query.get('list-type') === '2' ? call('s3:ListBucket', bucketArn) : [];
  },
  ecs(r, arn) {
    const body = json(r);
    const clusterName = String(body.cluster).replace(/^arn:.*:cluster\//, '');
    const services = (body.services as string[] | undefined) ?? [body.service as string];
    return call(`ecs:${r.operation}`, ...services.map((service) => named(service, (name) => arn('ecs', `service/${clusterName}/${name}`))));
  },
  ecr: (r, arn) => call(`ecr:${r.operation}`, arn('ecr', `repository/${json(r).repositoryName as string}`)),
  // A StackSet's ARN ends in an id the request does not carry.
  cloudformation: (r, arn) => call(`cloudformation:${form(r).get('Action')}`, arn('cloudformation', `stackset/${form(r).get('StackSetName')}:stack-set-id`)),
  dynamodb: (r, arn) => call(`dynamodb:${r.operation}`, arn('dynamodb', `table/${json(r).TableName as string}`)),
  kms: (r, arn) => call(`kms:${r.operation}`, named(json(r).KeyId as string, (id) => arn('kms', `key/${id}`))),
  backup(r, arn) {
    const path = pathOf(r);
    const vault = /^\/backup-vaults\/([^/]+)\/recovery-points\/?$/.exec(path)?.[1];
    if (vault) return call('backup:ListRecoveryPointsByBackupVault', arn('backup', `backup-vault:${vault}`));
    if (r.method === 'PUT' && path === '/restore-jobs') return call('backup:StartRestoreJob', json(r).RecoveryPointArn as string);
    if (/^\/restore-jobs\/[^/]+$/.test(path)) return call('backup:DescribeRestoreJob', '*');
    const list = { '/backup-jobs': 'ListBackupJobs', '/copy-jobs': 'ListCopyJobs', '/restore-jobs': 'ListRestoreJobs' }[path.replace(/\/$/, '')];
    return list ? call(`backup:${list}`, '*') : [];
  },
};
