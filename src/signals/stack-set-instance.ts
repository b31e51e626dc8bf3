import { DescribeStackInstanceCommand } from '@aws-sdk/client-cloudformation';
import { z } from 'zod';
import { isAwsError } from '../aws/aws-errors.js';
import { cloudFormationClient, type AwsTarget } from '../aws/clients.js';
import { arnsIn, type Grant, type PermissionScope } from '../aws/permissions.js';
import { durationMs } from '../scenario/fields.js';
import type { Observation, Signal } from './signal.js';

export const stackSetInstanceSignalSettings = z.strictObject({
  stackSetName: z.string().min(1),
  /** The Region the StackSet is administered from: its API answers there. */
  region: z.string().min(1),
  /** The stack instance that must be current: the recovery Region's, in the workload's account. */
  instance: z.strictObject({
    account: z.string().regex(/^\d{12}$/, 'expected a 12-digit AWS account id'),
    region: z.string().min(1),
  }),
  /** `DELEGATED_ADMIN` when the drill's account is a delegated administrator of a service-managed StackSet. */
  callAs: z.enum(['SELF', 'DELEGATED_ADMIN']).optional(),
  interval: durationMs.default(60_000),
});

export type StackSetInstanceSignalSettings = z.input<typeof stackSetInstanceSignalSettings>;

/** A StackSet's ARN ends in its generated id: `stackset/NAME:*`. */
export function stackSetInstancePermissions(settings: StackSetInstanceSignalSettings, scope: PermissionScope): Grant[] {
  return [{ purpose: 'ReadStackSetInstance', actions: ['cloudformation:DescribeStackInstance'], resources: arnsIn(scope, 'cloudformation', settings.region, `stackset/${settings.stackSetName}:*`) }];
}

/**
 * A steady-state precondition: the StackSet's instance in the recovery Region is current
 * (DescribeStackInstance), i.e. the pilot light there runs the StackSet's latest template and
 * parameters. The state is the instance's Status as CloudFormation gives it (`CURRENT`,
 * `OUTDATED`, `INOPERABLE`), or `missing` when the StackSet has no instance there; the detailed
 * status and CloudFormation's reason are in the detail. CloudFormation gives no time for a
 * status, so the runner brackets it.
 */
export function createStackSetInstanceSignal(name: string, settings: StackSetInstanceSignalSettings, resolveTarget: (region: string) => AwsTarget): Signal {
  const s = stackSetInstanceSignalSettings.parse(settings);
  const client = cloudFormationClient(resolveTarget(s.region));
  const instance = `StackSet ${s.stackSetName}'s instance in ${s.instance.account} ${s.instance.region}`;
  return {
    name,
    intervalMs: s.interval,
    async observe({ signal }): Promise<Observation> {
      try {
        const answer = await client.send(new DescribeStackInstanceCommand({
          StackSetName: s.stackSetName,
          StackInstanceAccount: s.instance.account,
          StackInstanceRegion: s.instance.region,
          ...(s.callAs ? { CallAs: s.callAs } : {}),
        }), { abortSignal: signal });
        const found = answer.StackInstance;
        if (!found?.Status) throw new Error(`${instance}: DescribeStackInstance answered no instance status`);
        const detailedStatus = found.StackInstanceStatus?.DetailedStatus ?? null;
        const why = found.StatusReason ? `: ${found.StatusReason}` : '';
        return {
          state: found.Status,
          detail: {
            instance,
            detailedStatus,
            ...(found.Status === 'CURRENT' ? {} : { reason: `${instance} is ${found.Status} (${detailedStatus ?? 'no detailed status'})${why}` }),
            statusReason: found.StatusReason ?? null,
            stackId: found.StackId ?? null,
            lastOperationId: found.LastOperationId ?? null,
            driftStatus: found.DriftStatus ?? null,
          },
        };
      } catch (error) {
        if (isAwsError(error, 'StackInstanceNotFoundException', 'StackSetNotFoundException')) return { state: 'missing', detail: { instance, reason: `${instance} does not exist (${error.name})` } };
        throw error;
      }
    },
    async close() {
      client.destroy();
    },
  };
}
