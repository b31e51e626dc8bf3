import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { FiredrillError } from '../runtime/errors.js';
import { awsTargetOf, type Environment } from '../scenario/environment.js';
import { stsClient } from './clients.js';
import type { Grant } from './permissions.js';

/** Who the credentials belong to, as STS answers GetCallerIdentity. */
export interface CallerIdentity {
  account: string;
  arn: string;
  userId: string;
}

/** STS errors that mean the credentials themselves are bad, not that STS could not be reached. */
const REFUSED_CREDENTIALS = new Set([
  'ExpiredToken', 'ExpiredTokenException', 'RequestExpired', 'InvalidClientTokenId', 'UnrecognizedClientException',
  'SignatureDoesNotMatch', 'InvalidAccessKeyId', 'AccessDenied', 'AccessDeniedException',
]);

/**
 * Asks STS who the environment's credentials belong to, in each Region the drill uses (the same
 * client setup, profile and endpoints as every other AWS call), before anything changes, like
 * Terraform's `allowed_account_ids`. Missing, expired or refused credentials are an error here,
 * not an `unknown` signal later. Returns one identity per distinct caller.
 */
export async function resolveCallerIdentities(environment: Environment, regions: readonly string[]): Promise<CallerIdentity[]> {
  const identities = new Map<string, CallerIdentity>();
  for (const region of regions) {
    const client = stsClient({ ...awsTargetOf(environment, region), maxAttempts: 3 });
    try {
      const answer = await client.send(new GetCallerIdentityCommand({}));
      if (!answer.Account || !answer.Arn) throw new FiredrillError('FIREDRILL_PREFLIGHT', `sts:GetCallerIdentity in ${region} answered without an account or ARN`);
      identities.set(answer.Arn, { account: answer.Account, arn: answer.Arn, userId: answer.UserId ?? '' });
    } catch (error) {
      throw credentialsError(error, environment, region);
    } finally {
      client.destroy();
    }
  }
  return [...identities.values()];
}

function credentialsError(error: unknown, environment: Environment, region: string): Error {
  if (error instanceof FiredrillError) return error;
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  const source = environment.aws?.profile ? `profile "${environment.aws.profile}"` : 'the default credential chain';
  const where = `environment "${environment.name}" (${region})`;
  if (name === 'CredentialsProviderError') {
    return new FiredrillError('FIREDRILL_CREDENTIALS', `${where}: no AWS credentials found in ${source} (${message}): log in (e.g. "aws sso login"), set a profile, or export credentials; nothing was changed`);
  }
  if (REFUSED_CREDENTIALS.has(name)) {
    return new FiredrillError('FIREDRILL_CREDENTIALS', `${where}: STS refused the AWS credentials from ${source} (${name}: ${message}): they are expired or invalid; refresh them; nothing was changed`);
  }
  return new FiredrillError('FIREDRILL_PREFLIGHT', `${where}: could not ask STS who the credentials belong to (${name}: ${message}); nothing was changed`);
}

/** GetCallerIdentity works even when a policy denies it; it is listed so the reviewer sees every call. */
export function callerIdentityPermissions(): Grant[] {
  return [{ purpose: 'AskWhoTheCallerIs', actions: ['sts:GetCallerIdentity'], resources: ['*'] }];
}

/** Refuses (exit 2) a caller whose account is not on the environment's allow-list. */
export function assertCallerAllowed(environment: Environment, identities: readonly CallerIdentity[]): void {
  const allowed = environment.aws?.accounts ?? [];
  const outside = identities.filter((identity) => !allowed.includes(identity.account));
  if (outside.length) {
    throw new FiredrillError('FIREDRILL_NOT_ALLOWED', `the AWS credentials belong to account ${outside.map((i) => i.account).join(', ')}, which is not on the allow-list of environment "${environment.name}" (allowed: ${allowed.join(', ')}); nothing was changed`,
      outside.map((i) => `caller ${i.arn}`));
  }
}

/** Resolves and checks the caller for an environment with an `aws` section; undefined without one. */
export async function checkCallerIdentity(environment: Environment, regions: readonly string[]): Promise<CallerIdentity | undefined> {
  if (!environment.aws) return undefined;
  const identities = await resolveCallerIdentities(environment, regions);
  assertCallerAllowed(environment, identities);
  return identities[0];
}

/** `run` in an environment marked `confirm: true` needs `--confirm <its name>`. */
export function assertConfirmed(environment: Environment, confirmed: string | undefined): void {
  if (!environment.confirm || confirmed === environment.name) return;
  const got = confirmed === undefined ? 'no --confirm was given' : `--confirm named "${confirmed}"`;
  throw new FiredrillError('FIREDRILL_NOT_CONFIRMED', `environment "${environment.name}" is marked "confirm: true": run again with --confirm ${environment.name} (${got}); nothing was changed`);
}
