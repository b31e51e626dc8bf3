import type { ResourceRecordSet } from '@aws-sdk/client-route-53';
import { z } from 'zod';
import { route53Client, type AwsTarget } from '../aws/clients.js';
import { describeRecordSet, readRecordSet, recordKeySettings, type RecordKey } from '../aws/route53-records.js';
import { durationMs } from '../scenario/fields.js';
import type { Observation, Signal } from './signal.js';

export const route53RecordSettings = z.strictObject({ ...recordKeySettings, interval: durationMs.default(1_000) });

export type Route53RecordSettings = z.input<typeof route53RecordSettings>;

/**
 * A record's answer as a signal: its values sorted and joined with ",", or "absent". A record
 * set carries no timestamp, so there is no `since`: the runner brackets a change between polls.
 */
export function createRoute53RecordSignal(name: string, settings: Route53RecordSettings, resolveTarget: (region: string) => AwsTarget): Signal {
  const s = route53RecordSettings.parse(settings);
  const client = route53Client(resolveTarget(s.region));
  return {
    name,
    intervalMs: s.interval,
    async observe({ signal }): Promise<Observation> {
      const record = await readRecordSet(client, s, { abortSignal: signal });
      return { state: describeRecordSet(record), detail: { hostedZoneId: s.hostedZoneId, ...recordDetail(s, record) } };
    },
    async close() {
      client.destroy();
    },
  };
}

function recordDetail(key: Omit<RecordKey, 'hostedZoneId'>, record: ResourceRecordSet | undefined): Record<string, unknown> {
  return {
    recordName: key.recordName,
    type: key.type,
    setIdentifier: key.setIdentifier ?? null,
    present: record !== undefined,
    ttl: record?.TTL ?? null,
    failover: record?.Failover ?? null,
    healthCheckId: record?.HealthCheckId ?? null,
  };
}
