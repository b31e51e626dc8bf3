/**
 * Issue 16: the drill history in an S3 bucket with versioning and Object Lock (COMPLIANCE), on
 * moto through the real S3 and KMS clients. moto 5.2.5 models what this relies on: If-None-Match
 * on PutObject (412), Object Lock retention on PutObject and GetObject, a refused DeleteObject of
 * a locked version, delete markers, ListObjectVersions paging, KMS ECC_NIST_P256 Sign and
 * GetPublicKey. What it does not (KMS's MessageType and 4 KiB limit) a stand-in supplies.
 */
import { CreateKeyCommand, GetPublicKeyCommand } from '@aws-sdk/client-kms';
import { CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, ListObjectVersionsCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startMoto, type Emulator } from '../../lab/emulator.js';
import { emulatorTarget, kmsClient, s3Client, withClient, type AwsTarget } from '../../src/aws/clients.js';
import { DrillHistory } from '../../src/report/drill-history.js';
import { keyIdOf, publicKeyFrom } from '../../src/report/dsse.js';
import { historyEntryOf, type HistoryEntry } from '../../src/report/history.js';
import { s3History } from '../../src/report/s3-history.js';
import { generateKeyFile, keyFileSigner, kmsSigner } from '../../src/report/signers.js';
import { verifyHistory } from '../../src/report/verify.js';
import { PROJECT_DIR } from '../support/cli-process.js';
import { DRILL_FIXTURES, drillFixture } from '../support/drill-fixtures.js';
import { forgeRecord } from '../support/drill-history.js';
import { startKmsSignStandIn } from '../support/kms-sign-stand-in.js';
import { createTempDir, type TempDir } from '../support/temp-dir.js';

const REGION = 'us-east-1';
const DAY_MS = 86_400_000;

describe('the drill history on S3 with Object Lock (moto)', function () {
  let moto: Emulator;
  let target: AwsTarget;
  let s3: S3Client;
  let dir: TempDir;
  let runnerKey: ReturnType<typeof generateKeyFile>;
  let bucketCount = 0;

  before(async function () {
    moto = await startMoto({ projectDir: PROJECT_DIR });
    target = emulatorTarget(moto.endpoint, REGION);
    s3 = s3Client(target);
    dir = createTempDir('s3-history');
    runnerKey = generateKeyFile(join(dir.path, 'runner.pem'));
  });

  after(async function () {
    s3?.destroy();
    await moto?.stop();
    dir?.remove();
  });

  async function lockedBucket(): Promise<string> {
    const bucket = `drill-evidence-${++bucketCount}`;
    await s3.send(new CreateBucketCommand({ Bucket: bucket, ObjectLockEnabledForBucket: true }));
    return bucket;
  }

  const store = (bucket: string, extra: { pageSize?: number } = {}) => s3History({ bucket, prefix: 'firedrill/history/', retentionDays: 30, ...extra }, target);
  const keyOf = (seq: number) => `firedrill/history/${String(seq).padStart(10, '0')}.json`;
  const passed = drillFixture('passed');
  const entry = (drillId: string): HistoryEntry => ({ ...historyEntryOf(passed.result, join(DRILL_FIXTURES, 'passed', 'result.json'), 'ci@runner'), drillId });
  const keysOf = (file: string) => {
    const key = publicKeyFrom(readFileSync(file));
    return new Map([[keyIdOf(key), key]]);
  };
  const runnerKeys = () => keysOf(runnerKey.publicFile);
  const work = (name: string, content: Buffer) => dir.write(name, content);

  it('refuses a bucket without Object Lock, naming the setting and how to fix it', async function () {
    await s3.send(new CreateBucketCommand({ Bucket: 'plain-bucket' }));
    const history = new DrillHistory(store('plain-bucket'), keyFileSigner(runnerKey.privateFile));
    const error = await history.append(entry('d1')).then(() => null, (e: Error) => e);
    expect(error?.message).to.include('history.s3.bucket: s3://plain-bucket has no Object Lock');
    expect(error?.message).to.include('--object-lock-enabled-for-bucket');
  });

  it('stores each record create-only, locked in COMPLIANCE mode for the retention, signed; the whole result travels in it', async function () {
    const bucket = await lockedBucket();
    const history = new DrillHistory(store(bucket), keyFileSigner(runnerKey.privateFile));
    const before = Date.now();
    await history.append(entry('d1'), passed.result);
    await history.append(entry('d2'), passed.result);
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: keyOf(2) }));
    expect(object.ObjectLockMode).to.equal('COMPLIANCE');
    const until = object.ObjectLockRetainUntilDate!.getTime();
    expect(until).to.be.within(before + 30 * DAY_MS - 2000, Date.now() + 30 * DAY_MS + 2000);
    const chain = await history.chain();
    expect(chain.map((r) => [r.record.seq, r.where])).to.deep.equal([[1, `s3://${bucket}/${keyOf(1)}`], [2, `s3://${bucket}/${keyOf(2)}`]]);
    expect(chain[1]!.result?.drillId).to.equal(passed.result.drillId);
    expect((await history.list()).map((r) => r.drillId)).to.deep.equal(['d1', 'd2']);
    const report = verifyHistory(chain, { keys: runnerKeys(), files: 'present' });
    expect(report.problems).to.deep.equal([]);
    expect(report.signatures).to.equal(2);
  });

  it('refuses to overwrite a record (412) or delete its locked version (403); a delete marker and a rewrite are named by verify', async function () {
    const bucket = await lockedBucket();
    const records = store(bucket);
    const history = new DrillHistory(records, keyFileSigner(runnerKey.privateFile));
    for (const id of ['d1', 'd2', 'd3']) await history.append(entry(id));
    expect(await records.create(2, '{"forged":true}'), 'create over record 2').to.equal(false);
    const overwrite = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: keyOf(2), Body: 'forged', IfNoneMatch: '*' })).then(() => null, (e: S3ServiceException) => e);
    expect(overwrite?.$metadata.httpStatusCode).to.equal(412);
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: keyOf(2) }));
    const deleteLocked = await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: keyOf(2), VersionId: versions.Versions![0]!.VersionId })).then(() => null, (e: S3ServiceException) => e);
    expect(deleteLocked?.$metadata.httpStatusCode).to.equal(403);
    expect(verifyHistory(await history.chain(), { files: 'present' }).problems).to.deep.equal([]);

    // What the lock allows: a delete marker over record 2, then a forged record 3 written under it once it looks free.
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: keyOf(2) }));
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: keyOf(3) }));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: keyOf(3), Body: forgeRecord((await records.read({ fromSeq: 3 }))[0]!.body, (r) => { r.outcome = 'failed'; }), IfNoneMatch: '*' }));
    const problems = verifyHistory(await history.chain(), { files: 'present' }).problems;
    expect(problems).to.include(`record 2 (drill d2): deleted: a delete marker hides it (its locked version ${versions.Versions![0]!.VersionId} is still there) (s3://${bucket}/${keyOf(2)})`);
    expect(problems).to.include(`record 3 (drill d3): overwritten: 2 versions under its key; the first written is the record (s3://${bucket}/${keyOf(3)})`);
  });

  it('names a record that is not under retention (written around the store, without Object Lock)', async function () {
    const bucket = await lockedBucket();
    const records = store(bucket);
    const history = new DrillHistory(records, keyFileSigner(runnerKey.privateFile));
    await history.append(entry('d1'));
    const [first] = await records.read();
    const next = forgeRecord(first!.body, (r) => { r.drillId = 'd2'; r.seq = 2; r.prevSha256 = r.sha256; }, { rehash: true });
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: keyOf(2), Body: next }));
    const problems = verifyHistory(await history.chain(), { files: 'present' }).problems;
    expect(problems).to.deep.equal([`record 2 (drill d2): not under retention: Object Lock mode none, so it could be deleted (s3://${bucket}/${keyOf(2)})`]);
  });

  it('names a missing sequence number: a record written past a gap', async function () {
    const bucket = await lockedBucket();
    const records = store(bucket);
    const history = new DrillHistory(records, keyFileSigner(runnerKey.privateFile));
    for (const id of ['d1', 'd2']) await history.append(entry(id));
    const [, second] = await records.read();
    expect(await records.create(4, forgeRecord(second!.body, (r) => { r.drillId = 'd4'; r.seq = 4; r.prevSha256 = 'f'.repeat(64); }, { rehash: true }))).to.equal(true);
    const problems = verifyHistory(await history.chain(), { keys: runnerKeys(), files: 'present' }).problems;
    expect(problems).to.include('record 3: removed: record 4 (drill d4) links to a record that is not in the history');
    expect(problems).to.include('record 4 (drill d4): bad signature: key ' + runnerKey.keyid.slice(0, 16) + '… did not sign this content');
  });

  it('50 concurrent appends (50 writers, one bucket) leave one unbroken chain of 50, read back through pages of 7', async function () {
    const bucket = await lockedBucket();
    const writers = Array.from({ length: 50 }, () => new DrillHistory(store(bucket), keyFileSigner(runnerKey.privateFile)));
    const appended = await Promise.all(writers.map((w, i) => w.append(entry(`concurrent-${i}`))));
    expect(appended.map((r) => r.seq).sort((a, b) => a - b)).to.deep.equal(Array.from({ length: 50 }, (_, i) => i + 1));
    const reader = new DrillHistory(store(bucket, { pageSize: 7 }));
    const chain = await reader.chain();
    expect(chain.map((r) => r.record.seq)).to.deep.equal(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(new Set(chain.map((r) => (r.record as HistoryEntry).drillId)).size).to.equal(50);
    const report = verifyHistory(chain, { keys: runnerKeys(), files: 'present' });
    expect(report.problems).to.deep.equal([]);
    expect(report.signatures).to.equal(50);
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket }));
    expect(versions.Versions, 'one version per record: no write landed twice').to.have.length(50);
  });

  it('signs with a KMS key (ECC_NIST_P256); an auditor verifies with the public key GetPublicKey hands out', async function () {
    const kms = kmsClient(target);
    try {
      const { KeyMetadata } = await kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }));
      const bucket = await lockedBucket();
      const history = new DrillHistory(store(bucket), kmsSigner(KeyMetadata!.KeyId!, target));
      await history.append(entry('kms-1'));
      await history.append(entry('kms-2'));
      const { PublicKey } = await kms.send(new GetPublicKeyCommand({ KeyId: KeyMetadata!.KeyId! }));
      const report = verifyHistory(await history.chain(), { keys: keysOf(work('kms-public.der', Buffer.from(PublicKey!))), files: 'present' });
      expect(report.problems).to.deep.equal([]);
      expect(report.signatures).to.equal(2);
      const runnerOnly = verifyHistory(await history.chain(), { keys: runnerKeys(), files: 'present' });
      expect(runnerOnly.problems[0]).to.match(/^record 1 \(drill kms-1\): signed only by keys not given to verify/);
    } finally {
      kms.destroy();
    }
  });

  it('a record over KMS\'s 4 KiB message limit (the whole result inside) is signed as a DIGEST, and verifies over the envelope', async function () {
    const kms = await startKmsSignStandIn(moto.endpoint);
    try {
      const viaStandIn: AwsTarget = { ...target, endpoints: { default: moto.endpoint, kms: kms.endpoint } };
      const bucket = await lockedBucket();
      const history = new DrillHistory(store(bucket), kmsSigner(kms.keyId, viaStandIn));
      await history.append(entry('small'));
      await history.append(entry('whole-result'), passed.result);
      const signs = kms.requests.filter((r) => r.operation === 'Sign').map((r) => JSON.parse(r.body) as { Message: string; MessageType: string });
      expect(signs.map((r) => r.MessageType)).to.deep.equal(['RAW', 'DIGEST']);
      expect(Buffer.from(signs[1]!.Message, 'base64')).to.have.length(32);
      const { PublicKey } = await withClient(kmsClient(viaStandIn), (client) => client.send(new GetPublicKeyCommand({ KeyId: kms.keyId })));
      const report = verifyHistory(await history.chain(), { keys: keysOf(work('stand-in.der', Buffer.from(PublicKey!))), files: 'present' });
      expect(report.problems).to.deep.equal([]);
      expect(report.signatures).to.equal(2);
    } finally {
      await kms.stop();
    }
  });
});
