import { ListResourceRecordSetsCommand, RRType, type ResourceRecordSet, type Route53Client } from '@aws-sdk/client-route-53';
import { z } from 'zod';
import { hostedZoneArn, type Grant } from './permissions.js';

/** Which record set: with a SetIdentifier, one member of a failover / weighted / latency group. */
export interface RecordKey {
  hostedZoneId: string;
  recordName: string;
  type: RRType;
  setIdentifier?: string;
}

export const recordKeySettings = {
  hostedZoneId: z.string().min(1),
  recordName: z.string().min(1),
  type: z.enum(RRType).default('A'),
  setIdentifier: z.string().min(1).optional(),
  /** Route 53 is a global service; its control plane answers in us-east-1. */
  region: z.string().min(1).default('us-east-1'),
};

export const ABSENT = 'absent';

export function route53RecordPermissions(settings: Pick<RecordKey, 'hostedZoneId'>): Grant[] {
  return [{ purpose: 'ReadRecords', actions: ['route53:ListResourceRecordSets'], resources: [hostedZoneArn(settings.hostedZoneId)] }];
}

/** The values a record set answers with, sorted and joined with ","; "absent" when there is none. */
export function describeRecordSet(record: ResourceRecordSet | undefined): string {
  if (!record) return ABSENT;
  if (record.AliasTarget?.DNSName) return `alias:${record.AliasTarget.DNSName}`;
  return (record.ResourceRecords ?? []).map((r) => r.Value ?? '').sort().join(',');
}

/**
 * The one record set `key` names, or undefined. Listing starts at the record's name and type;
 * a routing group (a failover pair) can straddle pages, so pages are followed (NextRecordName /
 * Type / Identifier) until the listing moves past that name and type.
 */
export async function readRecordSet(client: Route53Client, key: RecordKey, options: { abortSignal?: AbortSignal; pageSize?: number } = {}): Promise<ResourceRecordSet | undefined> {
  const wanted = normalizeName(key.recordName);
  const identifiersSeen: string[] = [];
  let start: PageStart = { name: wanted, type: key.type };
  for (let page = 0; page < 1_000; page++) {
    const answer = await client.send(new ListResourceRecordSetsCommand({
      HostedZoneId: key.hostedZoneId,
      StartRecordName: start.name,
      StartRecordType: start.type,
      StartRecordIdentifier: start.identifier,
      MaxItems: options.pageSize,
    }), { abortSignal: options.abortSignal });
    for (const record of answer.ResourceRecordSets ?? []) {
      if (normalizeName(record.Name ?? '') !== wanted || record.Type !== key.type) return notFound(key, identifiersSeen);
      if (record.SetIdentifier === key.setIdentifier) return record;
      if (record.SetIdentifier) identifiersSeen.push(record.SetIdentifier);
    }
    if (!answer.IsTruncated || !answer.NextRecordName || !answer.NextRecordType) return notFound(key, identifiersSeen);
    const next: PageStart = { name: answer.NextRecordName, type: answer.NextRecordType, identifier: answer.NextRecordIdentifier };
    // moto ignores StartRecordIdentifier and never sends NextRecordIdentifier: the same page again.
    if (next.name === start.name && next.type === start.type && next.identifier === start.identifier) {
      throw new Error(`listing record sets of ${key.hostedZoneId} did not advance past ${next.name} ${next.type}: expected a NextRecordIdentifier to page through its set identifiers`);
    }
    start = next;
  }
  throw new Error(`listing record sets of ${key.hostedZoneId} from ${key.recordName} ${key.type} did not end after 1000 pages`);
}

interface PageStart {
  name: string;
  type: RRType;
  identifier?: string;
}

/** Absent, unless only members of a routing group exist and no setIdentifier said which one. */
function notFound(key: RecordKey, identifiersSeen: string[]): undefined {
  if (key.setIdentifier === undefined && identifiersSeen.length > 0) {
    throw new Error(`${key.recordName} ${key.type} in ${key.hostedZoneId} has only records with set identifiers (${identifiersSeen.join(', ')}): say which one with setIdentifier`);
  }
  return undefined;
}

/** Route 53 answers names lower-case, fully qualified, with special characters as \ddd octal escapes. */
function normalizeName(name: string): string {
  const unescaped = name.replace(/\\(\d{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))).toLowerCase();
  return unescaped.endsWith('.') ? unescaped : `${unescaped}.`;
}
