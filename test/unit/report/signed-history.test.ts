import { expect } from 'chai';
import { generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { changesSomething } from '../../../src/aws/change-log.js';
import { DrillHistory } from '../../../src/report/drill-history.js';
import { keyIdOf, pae, publicKeyFrom, signatureIsValid, signStatement, statementOf, STATEMENT_TYPE, type Signer } from '../../../src/report/dsse.js';
import { historyEntryOf, type HistoryEntry } from '../../../src/report/history.js';
import { DRILL_PREDICATE_TYPE, SIGN_OFF_PREDICATE_TYPE } from '../../../src/report/history-record.js';
import { localHistory } from '../../../src/report/local-history.js';
import { generateKeyFile, keyFileSigner } from '../../../src/report/signers.js';
import { verifyHistory } from '../../../src/report/verify.js';
import { loadEnvironments } from '../../../src/scenario/environment.js';
import { DRILL_FIXTURES, drillFixture } from '../../support/drill-fixtures.js';
import { createTempDir, type TempDir } from '../../support/temp-dir.js';

describe('signed history records (DSSE over in-toto) and the local store', () => {
  let dir: TempDir;
  beforeEach(() => { dir = createTempDir('signed-history'); });
  afterEach(() => dir.remove());

  const passed = drillFixture('passed');
  const entry = (drillId: string): HistoryEntry => ({ ...historyEntryOf(passed.result, join(DRILL_FIXTURES, 'passed', 'result.json'), 'ci@runner'), drillId });

  it('PAE is the DSSE v1 encoding (the spec\'s own example)', () => {
    expect(pae('http://example.com/HelloWorld', Buffer.from('hello world')).toString()).to.equal('DSSEv1 29 http://example.com/HelloWorld 11 hello world');
  });

  it('an Ed25519 envelope verifies; one changed payload byte, or another key, does not', async () => {
    const key = generateKeyFile(join(dir.path, 'k.pem'));
    const envelope = await signStatement({ _type: STATEMENT_TYPE, subject: [{ name: 'x', digest: { sha256: 'ab' } }], predicateType: 'p', predicate: { n: 1 } }, keyFileSigner(key.privateFile));
    const { publicKey } = generateKeyPairSync('ed25519');
    const mine = publicKeyFrom(readFileSync(key.publicFile));
    expect(envelope.signatures[0]!.keyid).to.equal(keyIdOf(mine));
    expect(envelope.signatures[0]!.keyid).to.equal(key.keyid);
    expect(signatureIsValid(envelope, envelope.signatures[0]!, mine)).to.equal(true);
    expect(signatureIsValid(envelope, envelope.signatures[0]!, publicKey)).to.equal(false);
    const payload = Buffer.from(envelope.payload, 'base64');
    payload[payload.length - 2] ^= 1;
    expect(signatureIsValid({ ...envelope, payload: payload.toString('base64') }, envelope.signatures[0]!, mine)).to.equal(false);
  });

  it('an ECDSA P-256 signature in DER (what KMS ECC_NIST_P256 returns) verifies over the PAE', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const signer: Signer = { description: 'test P-256', async sign(message) { return { keyid: keyIdOf(publicKey), sig: sign('sha256', message, privateKey).toString('base64') }; } };
    const envelope = await signStatement({ _type: STATEMENT_TYPE, subject: [], predicateType: 'p', predicate: {} }, signer);
    expect(signatureIsValid(envelope, envelope.signatures[0]!, publicKey)).to.equal(true);
  });

  it('a drill record\'s statement names its result.json and artefacts by SHA-256 and carries the whole result; a sign-off names the record it approves', async () => {
    const key = generateKeyFile(join(dir.path, 'runner.pem'));
    const approver = generateKeyFile(join(dir.path, 'alice.pem'));
    const file = join(dir.path, 'history.ndjson');
    const history = new DrillHistory(localHistory(file), keyFileSigner(key.privateFile));
    const record = await history.append(entry('d1'), passed.result);
    await history.signOff({ drillId: 'd1', by: 'alice', signer: keyFileSigner(approver.privateFile) });
    const [drillLine, signOffLine] = (await localHistory(file).read()).map((r) => statementOf<{ record: { seq: number }; result?: { drillId: string } }>(JSON.parse(r.body)));
    expect(drillLine!.predicateType).to.equal(DRILL_PREDICATE_TYPE);
    expect(drillLine!.subject[0]).to.deep.equal({ name: 'd1/result.json', digest: { sha256: record.result.sha256 } });
    expect(drillLine!.subject.slice(1).map((s) => s.name)).to.deep.equal(passed.result.artifacts.map((a) => `d1/${a.path}`));
    expect(drillLine!.predicate.result!.drillId).to.equal(passed.result.drillId);
    expect(signOffLine!.predicateType).to.equal(SIGN_OFF_PREDICATE_TYPE);
    expect(signOffLine!.subject).to.deep.equal([{ name: 'history/1', digest: { sha256: record.sha256 } }]);
    const signOff = await history.signOff({ drillId: 'nope', by: 'alice', signer: keyFileSigner(approver.privateFile) }).then(() => null, (e: Error) => e);
    expect(signOff?.message).to.equal(`${file}: no drill nope in the history`);
  });

  it('the local store is create-only: a taken place answers false, and 20 appends at once chain 1..20', async () => {
    const key = generateKeyFile(join(dir.path, 'runner.pem'));
    const store = localHistory(join(dir.path, 'history.ndjson'));
    const history = new DrillHistory(store, keyFileSigner(key.privateFile));
    await history.append(entry('first'));
    expect(await store.create(1, '{}')).to.equal(false);
    await Promise.all(Array.from({ length: 19 }, (_, i) => history.append(entry(`d${i}`))));
    const chain = await history.chain();
    expect(chain.map((r) => r.record.seq)).to.deep.equal(Array.from({ length: 20 }, (_, i) => i + 1));
    expect(verifyHistory(chain).problems).to.deep.equal([]);
  });

  it('only calls that may change something go into the provenance', () => {
    for (const op of ['StartExperiment', 'StopExperiment', 'PutObject', 'ChangeResourceRecordSets', 'FailoverDBCluster', 'UpdateService', 'Invoke', 'SetAlarmState']) expect(changesSomething(op), op).to.equal(true);
    for (const op of ['GetCallerIdentity', 'GetExperiment', 'ListObjectVersions', 'DescribeAlarms', 'HeadObject', 'Query', 'Scan', 'BatchGetItem']) expect(changesSomething(op), op).to.equal(false);
  });

  it('the config\'s history section reaches every environment, its key file resolved against the config\'s folder', () => {
    const config = join(dir.path, 'firedrill.config.yaml');
    writeFileSync(config, 'environments:\n  staging: {}\nhistory:\n  s3: { bucket: drill-evidence, region: us-east-1, retentionDays: 400 }\n  signing: { keyFile: keys/ci.pem }\n');
    expect(loadEnvironments(config).staging!.history).to.deep.equal({
      s3: { bucket: 'drill-evidence', prefix: 'firedrill/history/', region: 'us-east-1', retentionDays: 400 },
      signing: { keyFile: join(dir.path, 'keys', 'ci.pem') },
    });
  });
});
