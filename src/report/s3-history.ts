import { GetObjectCommand, GetObjectLockConfigurationCommand, ListObjectVersionsCommand, PutObjectCommand, S3ServiceException, type DeleteMarkerEntry, type ObjectVersion } from '@aws-sdk/client-s3';
import { s3Client, type AwsTarget } from '../aws/clients.js';
import { s3Arn, type Grant } from '../aws/permissions.js';
import { FiredrillError } from '../runtime/errors.js';
import type { HistoryStore, StoredRecord } from './history.js';

export interface S3HistoryOptions {
  bucket: string;
  /** Key prefix of the records, ending in `/`. */
  prefix: string;
  /** Each record is locked (Object Lock, COMPLIANCE mode) for this many days from when it is written. */
  retentionDays: number;
  /** Versions per ListObjectVersions page (S3's own default, 1000, when absent). */
  pageSize?: number;
}

interface ListedKey { key: string; versions: ObjectVersion[]; markers: DeleteMarkerEntry[] }

/** Record keys sort in chain order: the place, zero-padded. */
const SEQ_DIGITS = 10;
/** GetObject calls in flight while reading the history. */
const READ_CONCURRENCY = 8;

/**
 * What appending a drill's record needs: check the bucket's Object Lock, list the records'
 * versions (only under the prefix), read record versions (GetObject with a VersionId is
 * s3:GetObjectVersion; the Object Lock headers come back only with s3:GetObjectRetention) and
 * create the next record, locked (PutObject with Object Lock headers also needs
 * s3:PutObjectRetention). Nothing deletes, overwrites or shortens a retention.
 */
export function s3HistoryPermissions(options: Pick<S3HistoryOptions, 'bucket' | 'prefix'>): Grant[] {
  const records = s3Arn(options.bucket, `${options.prefix}*`);
  return [
    { purpose: 'CheckHistoryBucketObjectLock', actions: ['s3:GetBucketObjectLockConfiguration'], resources: [s3Arn(options.bucket)] },
    { purpose: 'ListHistoryRecordVersions', actions: ['s3:ListBucketVersions'], resources: [s3Arn(options.bucket)], condition: { StringEquals: { 's3:prefix': options.prefix } } },
    { purpose: 'ReadHistoryRecords', actions: ['s3:GetObjectVersion', 's3:GetObjectRetention'], resources: [records] },
    { purpose: 'AppendLockedHistoryRecord', actions: ['s3:PutObject', 's3:PutObjectRetention'], resources: [records] },
  ];
}

/**
 * The history in an S3 bucket with versioning and Object Lock, shared by every CI job and team:
 * one object per record (`<prefix>0000000007.json`), written with `If-None-Match: *` (create-only:
 * a taken place answers 412, or 409 while another write to it is in flight) and locked in
 * COMPLIANCE mode, so nobody, root included, can delete or overwrite a record version until its
 * retention ends. Reading lists every version and delete marker, so a record hidden by a delete
 * marker, a second version under a record's key, or a version no longer under retention is
 * named by `verify` rather than silently read past.
 */
export function s3History(options: S3HistoryOptions, target: AwsTarget, now: () => Date = () => new Date()): HistoryStore {
  const client = s3Client(target);
  const { bucket, prefix } = options;
  const keyOf = (seq: number) => `${prefix}${String(seq).padStart(SEQ_DIGITS, '0')}.json`;
  const seqOf = (key: string) => (new RegExp(`^\\d{${SEQ_DIGITS}}\\.json$`).test(key.slice(prefix.length)) ? Number(key.slice(prefix.length, prefix.length + SEQ_DIGITS)) : undefined);
  let bucketChecked: Promise<void> | undefined;

  const checkBucket = async () => {
    const config = await client.send(new GetObjectLockConfigurationCommand({ Bucket: bucket })).catch((error: unknown) => {
      if (error instanceof S3ServiceException && error.name === 'ObjectLockConfigurationNotFoundError') return undefined;
      throw new FiredrillError('FIREDRILL_ENVIRONMENT_INVALID', `history.s3.bucket: s3://${bucket} cannot be read: ${(error as Error).name}: ${(error as Error).message}`);
    });
    if (config?.ObjectLockConfiguration?.ObjectLockEnabled !== 'Enabled') {
      throw new FiredrillError('FIREDRILL_ENVIRONMENT_INVALID', `history.s3.bucket: s3://${bucket} has no Object Lock: records there could be deleted or overwritten. Create the bucket with Object Lock enabled (it turns versioning on), e.g. "aws s3api create-bucket --bucket ${bucket} --object-lock-enabled-for-bucket"`);
    }
  };

  // S3 lists a key's versions newest first (LastModified is only to the second): the last is the first written.
  const readListed = async ({ key, versions, markers }: ListedKey): Promise<StoredRecord> => {
    const version = versions.at(-1)!;
    const where = `s3://${bucket}/${key}`;
    const object = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: version.VersionId }));
    const problems: string[] = [];
    if (markers.length) problems.push(`deleted: a delete marker hides it (its locked version ${version.VersionId} is still there)`);
    if (versions.length > 1) problems.push(`overwritten: ${versions.length} versions under its key; the first written is the record`);
    const until = object.ObjectLockRetainUntilDate;
    if (object.ObjectLockMode !== 'COMPLIANCE' || !until) problems.push(`not under retention: Object Lock mode ${object.ObjectLockMode ?? 'none'}, so it could be deleted`);
    else if (until.getTime() <= now().getTime()) problems.push(`not under retention: its retention ended ${until.toISOString()}`);
    return { body: await object.Body!.transformToString(), where, problems };
  };

  /** Every record key from `fromSeq` on, in chain order, with its versions and delete markers, paging through the listing. */
  const listFrom = async (fromSeq: number): Promise<ListedKey[]> => {
    const versions = new Map<string, ObjectVersion[]>();
    const markers = new Map<string, DeleteMarkerEntry[]>();
    let page: { KeyMarker?: string; VersionIdMarker?: string } = fromSeq > 1 ? { KeyMarker: keyOf(fromSeq - 1) } : {};
    for (;;) {
      const listed = await client.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: prefix, ...(options.pageSize ? { MaxKeys: options.pageSize } : {}), ...page }));
      for (const v of listed.Versions ?? []) if (v.Key && seqOf(v.Key) !== undefined) versions.set(v.Key, [...(versions.get(v.Key) ?? []), v]);
      for (const m of listed.DeleteMarkers ?? []) if (m.Key && seqOf(m.Key) !== undefined) markers.set(m.Key, [...(markers.get(m.Key) ?? []), m]);
      if (!listed.IsTruncated) break;
      page = { KeyMarker: listed.NextKeyMarker, VersionIdMarker: listed.NextVersionIdMarker };
    }
    return [...versions.keys()].sort().map((key) => ({ key, versions: versions.get(key)!, markers: markers.get(key) ?? [] }));
  };

  return {
    location: `s3://${bucket}/${prefix}`,
    filesAreLocal: false,
    check: () => (bucketChecked ??= checkBucket()),
    async create(seq, body) {
      await (bucketChecked ??= checkBucket());
      try {
        await client.send(new PutObjectCommand({
          Bucket: bucket, Key: keyOf(seq), Body: body, ContentType: 'application/json', IfNoneMatch: '*',
          ObjectLockMode: 'COMPLIANCE', ObjectLockRetainUntilDate: new Date(now().getTime() + options.retentionDays * 86_400_000),
        }));
        return true;
      } catch (error) {
        if (error instanceof S3ServiceException && (error.$metadata.httpStatusCode === 412 || error.$metadata.httpStatusCode === 409)) return false;
        throw error;
      }
    },
    async read({ fromSeq = 1 } = {}) {
      const listing = await listFrom(fromSeq);
      const records: StoredRecord[] = [];
      for (let i = 0; i < listing.length; i += READ_CONCURRENCY) records.push(...await Promise.all(listing.slice(i, i + READ_CONCURRENCY).map(readListed)));
      return records;
    },
    async newest() {
      const newest = (await listFrom(1)).at(-1);
      return newest && readListed(newest);
    },
  };
}
