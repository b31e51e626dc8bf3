/**
 * `firedrill iam-policy` is only as complete as the kinds' own `permissions`: every built-in kind
 * declares them, a kind that makes no AWS calls by saying so (`noAwsCalls`), so a new kind that
 * forgets fails here instead of printing a policy that silently lacks what it needs. The kinds
 * whose calls no drill test records on the emulator have their policy checked here, call by call.
 */
import { expect } from 'chai';
import { iamPolicyFor } from '../../src/aws/iam-policy.js';
import { noAwsCalls, type Grant, type PermissionScope } from '../../src/aws/permissions.js';
import { historyPermissions } from '../../src/report/history-config.js';
import { builtinKinds } from '../../src/runner/builtin-kinds.js';
import type { Kinds } from '../../src/runner/kinds.js';
import type { Environment } from '../../src/scenario/environment.js';
import type { LoadedScenario } from '../../src/scenario/load.js';

const KINDS = builtinKinds({ awsTarget: (region) => ({ region }) });
const SCOPE: PermissionScope = { accounts: ['123456789012'] };
const SECTIONS = ['probes', 'signals', 'canaries', 'faults', 'steps'] as const;

/** The built-in kinds that reach nothing but HTTP, DNS, a browser or a database. */
const NO_AWS_CALLS = {
  probes: ['browser', 'dns', 'http'],
  signals: ['dns-answer', 'status-endpoint'],
  canaries: ['http', 'sql'],
  faults: ['blackhole', 'http-hook'],
  steps: ['http'],
};

type Section = typeof SECTIONS[number];
type PermissionsOf = (settings: unknown, scope: PermissionScope) => Grant[];

/** A kind's grants for settings as a scenario writes them (steps and faults get them validated, as the runner gives them). */
function grantsOf(section: Section, kind: string, written: Record<string, unknown>): Grant[] {
  const entry = KINDS[section][kind]!;
  const settings = section === 'faults' || section === 'steps' ? entry.settings.parse(written) : written;
  return (entry.permissions as PermissionsOf)(settings, SCOPE);
}

const statements = (grants: Grant[]) => grants.map((g) => ({ actions: g.actions, resources: g.resources, ...(g.condition ? { condition: g.condition } : {}) }));

describe('IAM permissions of the built-in kinds', () => {
  it('every built-in kind declares its permissions; only the kinds that make no AWS calls declare none', () => {
    const missing = SECTIONS.flatMap((section) => Object.entries(KINDS[section]).filter(([, kind]) => !kind.permissions).map(([name]) => `${section} ${name}`));
    expect(missing, 'kinds without permissions(settings, scope): declare them, or noAwsCalls').to.deep.equal([]);
    const declaredNone = Object.fromEntries(SECTIONS.map((section) => [section, Object.entries(KINDS[section]).filter(([, kind]) => kind.permissions === noAwsCalls).map(([name]) => name).sort()]));
    expect(declaredNone, 'kinds that say they make no AWS calls').to.deep.equal(NO_AWS_CALLS);
  });

  it('iam-policy names the entries whose kind declares no permissions (a kind of the caller\'s own)', () => {
    const kinds: Kinds = { ...KINDS, signals: { ...KINDS.signals, custom: { settings: KINDS.signals['dns-answer']!.settings, create: () => { throw new Error('not created'); } } } };
    const entry = (name: string, kind: string) => ({ name, kind, common: {}, settings: {}, written: {} });
    const scenario = { entries: { probes: [], canaries: [], faults: [], steps: [], signals: [entry('mine', 'custom'), entry('answer', 'dns-answer')] } } as unknown as LoadedScenario;
    const environment: Environment = { name: 'test', vars: {} } as Environment;
    expect(iamPolicyFor(scenario, environment, kinds).undeclared).to.deep.equal(['signals: mine (kind custom)']);
  });

  it('rds-cluster-failover: describe and fail over that cluster only', () => {
    const cluster = ['arn:aws:rds:us-east-1:123456789012:cluster:orders'];
    expect(statements(grantsOf('steps', 'rds-cluster-failover', { dbClusterIdentifier: 'orders', region: 'us-east-1' }))).to.deep.equal([
      { actions: ['rds:DescribeDBClusters'], resources: cluster },
      { actions: ['rds:FailoverDBCluster'], resources: cluster },
    ]);
    expect(statements(grantsOf('signals', 'rds-cluster', { dbClusterIdentifier: 'orders', region: 'us-east-1' }))).to.deep.equal([{ actions: ['rds:DescribeDBClusters'], resources: cluster }]);
  });

  it('rds-replica-promotion: describe and promote the one replica, an Aurora cluster or a DB instance', () => {
    expect(statements(grantsOf('steps', 'rds-replica-promotion', { region: 'us-west-2', dbClusterIdentifier: 'orders-replica' }))).to.deep.equal([
      { actions: ['rds:DescribeDBClusters'], resources: ['arn:aws:rds:us-west-2:123456789012:cluster:orders-replica'] },
      { actions: ['rds:PromoteReadReplicaDBCluster'], resources: ['arn:aws:rds:us-west-2:123456789012:cluster:orders-replica'] },
    ]);
    expect(statements(grantsOf('steps', 'rds-replica-promotion', { region: 'us-west-2', dbInstanceIdentifier: 'arn:aws:rds:us-west-2:123456789012:db:orders-replica' }))).to.deep.equal([
      { actions: ['rds:DescribeDBInstances'], resources: ['arn:aws:rds:us-west-2:123456789012:db:orders-replica'] },
      { actions: ['rds:PromoteReadReplica'], resources: ['arn:aws:rds:us-west-2:123456789012:db:orders-replica'] },
    ]);
  });

  it('dynamodb-global-table: put in the primary Region, query in the replica\'s, the canary\'s own partitions only', () => {
    const ownPartitions = { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['firedrill-canary#*'] } };
    expect(statements(grantsOf('canaries', 'dynamodb-global-table', { table: 'orders', primary: { region: 'us-east-1' }, replica: { region: 'us-west-2' } }))).to.deep.equal([
      { actions: ['dynamodb:PutItem'], resources: ['arn:aws:dynamodb:us-east-1:123456789012:table/orders'], condition: ownPartitions },
      { actions: ['dynamodb:Query'], resources: ['arn:aws:dynamodb:us-west-2:123456789012:table/orders'], condition: ownPartitions },
    ]);
  });

  it('lambda-invoke: the function as named, with its qualifier', () => {
    const resources = (written: Record<string, unknown>) => grantsOf('steps', 'lambda-invoke', { region: 'us-west-2', ...written })[0]!.resources;
    expect(resources({ functionName: 'pin' })).to.deep.equal(['arn:aws:lambda:us-west-2:123456789012:function:pin']);
    expect(resources({ functionName: 'pin', qualifier: 'live' })).to.deep.equal(['arn:aws:lambda:us-west-2:123456789012:function:pin:live']);
    expect(resources({ functionName: '210987654321:function:pin' })).to.deep.equal(['arn:aws:lambda:us-west-2:210987654321:function:pin']);
    expect(resources({ functionName: 'arn:aws:lambda:us-west-2:210987654321:function:pin:7' })).to.deep.equal(['arn:aws:lambda:us-west-2:210987654321:function:pin:7']);
  });

  it('ecs-service: the service ARN, from names or from the cluster\'s ARN', () => {
    const resources = (cluster: string, service: string) => grantsOf('signals', 'ecs-service', { cluster, service, region: 'us-west-2' })[0]!.resources;
    expect(resources('recovery', 'app')).to.deep.equal(['arn:aws:ecs:us-west-2:123456789012:service/recovery/app']);
    expect(resources('arn:aws:ecs:us-west-2:123456789012:cluster/recovery', 'app')).to.deep.equal(['arn:aws:ecs:us-west-2:123456789012:service/recovery/app']);
    expect(resources('recovery', 'arn:aws:ecs:us-west-2:123456789012:service/recovery/app')).to.deep.equal(['arn:aws:ecs:us-west-2:123456789012:service/recovery/app']);
  });

  it('aurora-global-failover without revert: no switchover back', () => {
    const grants = grantsOf('steps', 'aurora-global-failover', { globalClusterIdentifier: 'orders', region: 'us-west-2', mode: 'switchover', revert: false, targetDbClusterArn: 'arn:aws:rds:us-west-2:123456789012:cluster:orders-secondary' });
    expect(statements(grants)).to.deep.equal([
      { actions: ['rds:DescribeGlobalClusters'], resources: ['arn:aws:rds::123456789012:global-cluster:orders'] },
      { actions: ['rds:SwitchoverGlobalCluster'], resources: ['arn:aws:rds::123456789012:global-cluster:orders', 'arn:aws:rds:us-west-2:123456789012:cluster:orders-secondary'] },
    ]);
  });
});

describe('IAM permissions of the shared drill history', () => {
  const s3 = { bucket: 'drill-history', prefix: 'firedrill/history/', region: 'us-east-1', retentionDays: 365 };

  it('iam-policy adds the history\'s statements for an environment that writes to it, and names them', () => {
    const scenario = { entries: { probes: [], canaries: [], faults: [], steps: [], signals: [] } } as unknown as LoadedScenario;
    const environment = { name: 'prod', vars: {}, history: { s3, signing: { kms: { keyId: 'alias/firedrill-history', region: 'us-east-1' } } } } as Environment;
    const { policy, history } = iamPolicyFor(scenario, environment, KINDS);
    const sids = ['CheckHistoryBucketObjectLock', 'ListHistoryRecordVersions', 'ReadHistoryRecords', 'AppendLockedHistoryRecord', 'SignHistoryRecords', 'ReadSigningPublicKey'];
    expect(history).to.deep.equal(sids);
    expect(policy.Statement.map((statement) => statement.Sid)).to.deep.equal(sids);
  });

  it('a local history signed with a key file needs none', () => {
    expect(historyPermissions(undefined, SCOPE)).to.deep.equal([]);
    expect(historyPermissions({ signing: { keyFile: '/keys/history.pem' } }, SCOPE)).to.deep.equal([]);
  });

  it('an S3 history: check Object Lock, list and read record versions under the prefix, append locked records; nothing deletes', () => {
    expect(statements(historyPermissions({ s3 }, SCOPE))).to.deep.equal([
      { actions: ['s3:GetBucketObjectLockConfiguration'], resources: ['arn:aws:s3:::drill-history'] },
      { actions: ['s3:ListBucketVersions'], resources: ['arn:aws:s3:::drill-history'], condition: { StringEquals: { 's3:prefix': 'firedrill/history/' } } },
      { actions: ['s3:GetObjectVersion', 's3:GetObjectRetention'], resources: ['arn:aws:s3:::drill-history/firedrill/history/*'] },
      { actions: ['s3:PutObject', 's3:PutObjectRetention'], resources: ['arn:aws:s3:::drill-history/firedrill/history/*'] },
    ]);
  });

  it('a KMS signing key: Sign with its one algorithm and GetPublicKey, on that key', () => {
    const key = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    expect(statements(historyPermissions({ signing: { kms: { keyId: '1234abcd-12ab-34cd-56ef-1234567890ab', region: 'us-east-1' } } }, SCOPE))).to.deep.equal([
      { actions: ['kms:Sign'], resources: [key], condition: { StringEquals: { 'kms:SigningAlgorithm': 'ECDSA_SHA_256' } } },
      { actions: ['kms:GetPublicKey'], resources: [key] },
    ]);
  });

  it('a KMS key named by its alias: any key of the account, held to that alias', () => {
    for (const keyId of ['alias/firedrill-history', 'arn:aws:kms:us-east-1:123456789012:alias/firedrill-history']) {
      expect(statements(historyPermissions({ signing: { kms: { keyId, region: 'us-east-1' } } }, SCOPE)), keyId).to.deep.equal([
        { actions: ['kms:Sign'], resources: ['arn:aws:kms:us-east-1:123456789012:key/*'], condition: { StringEquals: { 'kms:RequestAlias': 'alias/firedrill-history', 'kms:SigningAlgorithm': 'ECDSA_SHA_256' } } },
        { actions: ['kms:GetPublicKey'], resources: ['arn:aws:kms:us-east-1:123456789012:key/*'], condition: { StringEquals: { 'kms:RequestAlias': 'alias/firedrill-history' } } },
      ]);
    }
  });
});
