import { DescribeServicesCommand, type ECSClient, type Service } from '@aws-sdk/client-ecs';
import { z } from 'zod';
import { arnsIn, isArn, type Grant, type PermissionScope } from './permissions.js';

export const ecsServiceKeySettings = {
  cluster: z.string().min(1),
  service: z.string().min(1),
  region: z.string().min(1),
};

export type EcsServiceKey = { cluster: string; service: string; region: string };

/** The service's ARN (`service/CLUSTER/SERVICE`): DescribeServices and UpdateService take service ARNs. */
export function ecsServiceArns(key: EcsServiceKey, scope: PermissionScope): string[] {
  if (isArn(key.service)) return [key.service];
  const cluster = isArn(key.cluster) ? key.cluster.slice(key.cluster.indexOf(':cluster/') + ':cluster/'.length) : key.cluster;
  return arnsIn(scope, 'ecs', key.region, `service/${cluster}/${key.service}`);
}

export function readServicePermissions(key: EcsServiceKey, scope: PermissionScope): Grant[] {
  return [{ purpose: 'ReadEcsService', actions: ['ecs:DescribeServices'], resources: ecsServiceArns(key, scope) }];
}

/** How many of the service's newest events an observation carries. */
const EVENTS_KEPT = 5;

/** The service as ECS describes it; throws, naming it, if ECS does not know it or it is being deleted. */
export async function readService(client: ECSClient, key: EcsServiceKey, abortSignal: AbortSignal): Promise<Service> {
  const answer = await client.send(new DescribeServicesCommand({ cluster: key.cluster, services: [key.service] }), { abortSignal });
  const service = answer.services?.[0];
  if (!service || service.status !== 'ACTIVE') {
    const reason = answer.failures?.[0]?.reason ?? service?.status ?? 'not found';
    throw new Error(`ECS service ${labelOfService(key)} in ${key.region}: ${reason}`);
  }
  return service;
}

export function labelOfService(key: Pick<EcsServiceKey, 'cluster' | 'service'>): string {
  return `${key.cluster}/${key.service}`;
}

/**
 * `steady` when every desired task runs and no deployment is still rolling out, `idle` for a
 * service at zero (a pilot light), `scaling` otherwise.
 */
export function serviceState(service: Service): 'steady' | 'idle' | 'scaling' {
  const { desiredCount = 0, runningCount = 0, pendingCount = 0 } = service;
  const rolling = (service.deployments ?? []).some((d) => d.rolloutState === 'IN_PROGRESS') || (service.deployments?.length ?? 0) > 1;
  if (runningCount !== desiredCount || pendingCount > 0 || rolling) return 'scaling';
  return desiredCount === 0 ? 'idle' : 'steady';
}

export function serviceDetail(service: Service): Record<string, unknown> {
  return {
    desiredCount: service.desiredCount ?? 0,
    runningCount: service.runningCount ?? 0,
    pendingCount: service.pendingCount ?? 0,
    deployments: (service.deployments ?? []).map((d) => ({
      status: d.status ?? null,
      rolloutState: d.rolloutState ?? null,
      desiredCount: d.desiredCount ?? 0,
      runningCount: d.runningCount ?? 0,
      updatedAt: d.updatedAt?.toISOString() ?? null,
    })),
    events: (service.events ?? []).slice(0, EVENTS_KEPT).map((e) => ({ createdAt: e.createdAt?.toISOString() ?? null, message: e.message ?? '' })),
  };
}

/** ECS lists events newest first. */
export function steadyStateEventTime(service: Service, after?: Date): Date | undefined {
  const event = service.events?.find((e) => /has reached a steady state/.test(e.message ?? ''));
  const at = event?.createdAt;
  return at && (!after || at >= after) ? at : undefined;
}
