import { z } from 'zod';
import { ecsClient, type AwsTarget } from '../aws/clients.js';
import { durationMs } from '../scenario/fields.js';
import type { Observation, Signal } from './signal.js';
import { ecsServiceKeySettings, labelOfService, readService, serviceDetail, serviceState, steadyStateEventTime } from '../aws/ecs-services.js';

export const ecsServiceSignalSettings = z.strictObject({
  ...ecsServiceKeySettings,
  interval: durationMs.default(1_000),
});

export type EcsServiceSignalSettings = z.input<typeof ecsServiceSignalSettings>;

/**
 * An ECS service as a signal: `steady`, `idle` or `scaling` (see `serviceState`), with its
 * counts, deployments and newest events. `since` is the newest "has reached a steady state"
 * event when the service is steady: ECS's own clock for when the scale-up finished.
 */
export function createEcsServiceSignal(name: string, settings: EcsServiceSignalSettings, resolveTarget: (region: string) => AwsTarget): Signal {
  const s = ecsServiceSignalSettings.parse(settings);
  const client = ecsClient(resolveTarget(s.region));
  return {
    name,
    intervalMs: s.interval,
    async observe({ signal }): Promise<Observation> {
      const service = await readService(client, s, signal);
      const state = serviceState(service);
      const since = state === 'steady' ? steadyStateEventTime(service) : undefined;
      return { state, ...(since ? { since } : {}), detail: { service: labelOfService(s), ...serviceDetail(service) } };
    },
    async close() {
      client.destroy();
    },
  };
}
