/**
 * The IAM permissions an adapter's own AWS calls need, declared by the adapter beside the calls
 * (`permissions(settings, scope)` on a kind), so `firedrill iam-policy` can print the
 * least-privilege policy of a drill for a security review.
 */
export interface Grant {
  /** Why the drill needs it, in a few words; becomes the statement's Sid. */
  purpose: string;
  actions: string[];
  resources: string[];
  condition?: Record<string, Record<string, string | string[]>>;
  /** Only `firedrill cleanup` and revert after a crash call these (the journal lost an id). */
  cleanupOnly?: boolean;
}

/** A role an AWS service assumes to act for the drill (FIS's experiment role): its needs are the service's, listed apart. */
export interface ServiceRole {
  service: string;
  roleArn: string;
  /** What the service does with it (FIS action ids). */
  actions: string[];
  /** AWS managed policies that cover those actions, a starting point to scope down from. */
  managedPolicies: string[];
  /** Where the role must be able to deliver logs and reports. */
  writesTo: string[];
}

/** What ARNs are built from: the environment's allowed accounts (`*` without an allow-list). */
export interface PermissionScope {
  accounts: string[];
}

/** One ARN per allowed account: `arn:aws:SERVICE:REGION:ACCOUNT:RESOURCE`. */
export function arnsIn(scope: PermissionScope, service: string, region: string, resource: string): string[] {
  const accounts = scope.accounts.length ? scope.accounts : ['*'];
  return accounts.map((account) => `arn:aws:${service}:${region}:${account}:${resource}`);
}

/** Route 53 ARNs have no Region and no account. */
export function route53Arn(resource: string): string {
  return `arn:aws:route53:::${resource.replace(/^\//, '')}`;
}

/** A Route 53 hosted zone id as written (`Z123` or `/hostedzone/Z123`) as its ARN. */
export function hostedZoneArn(hostedZoneId: string): string {
  return route53Arn(`hostedzone/${hostedZoneId.replace(/^\/?hostedzone\//, '')}`);
}

export function isArn(value: string): boolean {
  return value.startsWith('arn:');
}

/** A resource named by its ARN, as given; named by its name, its ARN in each allowed account. */
export function arnsOfNamed(scope: PermissionScope, service: string, region: string, nameOrArn: string, resourceOf: (name: string) => string): string[] {
  return isArn(nameOrArn) ? [nameOrArn] : arnsIn(scope, service, region, resourceOf(nameOrArn));
}

/** S3 ARNs have no Region and no account: a bucket, or its objects whose keys match `keys` (`prefix*`). */
export function s3Arn(bucket: string, keys?: string): string {
  return `arn:aws:s3:::${bucket}${keys === undefined ? '' : `/${keys}`}`;
}

/** Hands `roleArn` to `service` only (the service assumes it to act for the drill). */
export function passRoleGrant(purpose: string, roleArn: string, service: string): Grant {
  return { purpose, actions: ['iam:PassRole'], resources: [roleArn], condition: { StringEquals: { 'iam:PassedToService': service } } };
}

/** A built-in kind that makes no AWS calls: it needs no IAM permissions, and says so. */
export function noAwsCalls(): Grant[] {
  return [];
}
