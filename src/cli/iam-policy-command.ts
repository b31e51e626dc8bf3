import { iamPolicyFor } from '../aws/iam-policy.js';
import { EXIT } from '../runtime/errors.js';
import type { Io } from './io.js';
import { prepare } from './run-command.js';

/**
 * `firedrill iam-policy <scenario> [--env E]`: the IAM policy the drill's own calls need, as a
 * JSON policy document on stdout (ready for `aws iam create-policy --policy-document`); the
 * roles AWS services assume for the drill (FIS's experiment role) are described apart, on stderr.
 */
export async function iamPolicyCommand(argv: string[], io: Io): Promise<number> {
  const { scenario, environment, kinds } = await prepare('iam-policy', argv, io);
  const { policy, cleanupOnly, serviceRoles, history, undeclared } = iamPolicyFor(scenario, environment, kinds);
  io.out(JSON.stringify(policy, null, 2));
  if (cleanupOnly.length) io.err(`# ${cleanupOnly.join(', ')}: used only by "firedrill cleanup" and by a revert after a crash (to find what the drill tagged)`);
  for (const role of serviceRoles) {
    io.err(`# not part of this policy: ${role.service} assumes ${role.roleArn} (iam:PassRole above lets the drill hand it over); that role needs:`);
    io.err(`#   actions: ${role.actions.join(', ') || 'none beyond aws:fis:wait'}`);
    if (role.managedPolicies.length) io.err(`#   AWS managed policies that cover them: ${role.managedPolicies.join(', ')}`);
    for (const destination of role.writesTo) io.err(`#   write access to ${destination}`);
  }
  if (history.length) io.err(`# ${history.join(', ')}: the drill history's calls, made with the default AWS credential chain (not the environment's profile): grant them to that principal`);
  for (const entry of undeclared) io.err(`# ${entry} declares no IAM permissions: if it calls AWS, this policy lacks what it needs`);
  return EXIT.passed;
}
