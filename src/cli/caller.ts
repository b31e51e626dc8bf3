import { assertCallerAllowed, resolveCallerIdentities } from '../aws/identity.js';
import { regionsUsedBy } from '../scenario/allow-list.js';
import type { Environment } from '../scenario/environment.js';
import type { LoadedScenario } from '../scenario/load.js';
import type { Io } from './io.js';

/** For `plan`: who the drill would run as (from STS), refused (exit 2) like `run` when not allowed. */
export async function printCaller(scenario: LoadedScenario, environment: Environment, io: Io): Promise<void> {
  if (environment.confirm) io.out(`environment "${environment.name}" is marked confirm: run needs --confirm ${environment.name}`);
  if (!environment.aws) return;
  const identities = await resolveCallerIdentities(environment, regionsUsedBy(scenario, environment));
  for (const identity of identities) io.out(`runs as ${identity.arn} (account ${identity.account}; allowed: ${environment.aws.accounts.join(', ')})`);
  assertCallerAllowed(environment, identities);
}
