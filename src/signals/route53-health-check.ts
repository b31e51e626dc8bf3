import { GetHealthCheckStatusCommand, type HealthCheckObservation } from '@aws-sdk/client-route-53';
import { z } from 'zod';
import { route53Client, type AwsTarget } from '../aws/clients.js';
import { route53Arn, type Grant } from '../aws/permissions.js';
import { durationMs } from '../scenario/fields.js';
import type { Observation, Signal } from './signal.js';

export const route53HealthCheckSettings = z.strictObject({
  healthCheckId: z.string().min(1),
  /** Route 53 is a global service; its control plane answers in us-east-1. */
  region: z.string().min(1).default('us-east-1'),
  interval: durationMs.default(1_000),
});

export type Route53HealthCheckSettings = z.input<typeof route53HealthCheckSettings>;

export function route53HealthCheckPermissions(settings: Route53HealthCheckSettings): Grant[] {
  return [{ purpose: 'ReadHealthCheckStatus', actions: ['route53:GetHealthCheckStatus'], resources: [route53Arn(`healthcheck/${settings.healthCheckId}`)] }];
}

/** One checker's last report, as GetHealthCheckStatus gives it. */
export interface CheckerReport {
  region: string | null;
  ipAddress: string | null;
  status: string | null;
  checkedTime: string | null;
}

/** Checkers report a StatusReport.Status starting with "Success" or "Failure". */
function isSuccess(report: Pick<CheckerReport, 'status'>): boolean {
  return report.status?.startsWith('Success') ?? false;
}

/**
 * Route 53's own rule: "If more than 18% of health checkers report that an endpoint is healthy,
 * Route 53 considers it healthy" (docs.aws.amazon.com/Route53/latest/DeveloperGuide/
 * dns-failover-determining-health-of-endpoints.html). Strictly more: 3 of 16 (18.75%) is
 * healthy, 2 of 16 (12.5%) is not. No observations at all is unhealthy here, since nothing
 * vouches for the endpoint.
 */
export function healthFromObservations(observations: readonly Pick<CheckerReport, 'status'>[]): 'healthy' | 'unhealthy' {
  if (observations.length === 0) return 'unhealthy';
  const succeeded = observations.filter(isSuccess).length;
  return succeeded / observations.length > 0.18 ? 'healthy' : 'unhealthy';
}

/**
 * A Route 53 health check as a signal, from its checkers' last reports. There is no history
 * API, so no `since`: the runner brackets a change between polls. GetHealthCheckStatus is meant
 * for development rates; keep the interval at seconds, not milliseconds. A CLOUDWATCH_METRIC
 * health check on moto always answers one "Success" observation, whatever the alarm says.
 */
export function createRoute53HealthCheckSignal(name: string, settings: Route53HealthCheckSettings, resolveTarget: (region: string) => AwsTarget): Signal {
  const s = route53HealthCheckSettings.parse(settings);
  const client = route53Client(resolveTarget(s.region));
  return {
    name,
    intervalMs: s.interval,
    async observe({ signal }): Promise<Observation> {
      const answer = await client.send(new GetHealthCheckStatusCommand({ HealthCheckId: s.healthCheckId }), { abortSignal: signal });
      const checkers = (answer.HealthCheckObservations ?? []).map(toCheckerReport);
      return {
        state: healthFromObservations(checkers),
        detail: { healthCheckId: s.healthCheckId, succeeded: checkers.filter(isSuccess).length, checkers },
      };
    },
    async close() {
      client.destroy();
    },
  };
}

function toCheckerReport(o: HealthCheckObservation): CheckerReport {
  return {
    region: o.Region ?? null,
    ipAddress: o.IPAddress ?? null,
    status: o.StatusReport?.Status ?? null,
    checkedTime: o.StatusReport?.CheckedTime?.toISOString() ?? null,
  };
}
