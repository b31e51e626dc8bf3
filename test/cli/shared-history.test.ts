/**
 * Issue 16, done when: two drills run by two separate `firedrill` processes, each with its own
 * working folder and state folder (two CI runners), append to one history in one S3 bucket with
 * Object Lock on moto; a third process lists both in order, an approver signs one off, and
 * `report verify`, given only public keys, passes. Each drill's record carries its provenance:
 * the AWS calls that changed something (an FIS experiment on moto) with their request ids.
 */
import { CreateExperimentTemplateCommand, ListExperimentsCommand } from '@aws-sdk/client-fis';
import { CreateKeyCommand, GetPublicKeyCommand } from '@aws-sdk/client-kms';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { expect } from 'chai';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startMoto, type Emulator } from '../../lab/emulator.js';
import { emulatorTarget, fisClient, kmsClient, s3Client, withClient } from '../../src/aws/clients.js';
import { generateKeyFile } from '../../src/report/signers.js';
import type { DrillResult } from '../../src/runner/result.js';
import { PROJECT_DIR, runCli } from '../support/cli-process.js';
import { createTempDir, type TempDir } from '../support/temp-dir.js';

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const BUCKET = 'shared-drill-evidence';
const CREDENTIALS = { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' };

describe('one drill history in S3 shared by separate firedrill processes (black box, moto)', function () {
  let moto: Emulator;
  let app: Server;
  let work: TempDir;
  let config: string;
  /** The auditor's config: the bucket only, no signing key, no environments. */
  let auditorConfig: string;
  let runner: ReturnType<typeof generateKeyFile>;
  let approver: ReturnType<typeof generateKeyFile>;
  /** A second approver whose key is in KMS, and its public key as `aws kms get-public-key` gives it (DER). */
  let kmsApprover: { keyId: string; publicFile: string };
  const drills: { id: string; out: string }[] = [];

  before(async function () {
    moto = await startMoto({ projectDir: PROJECT_DIR });
    const target = emulatorTarget(moto.endpoint, REGION);
    await withClient(s3Client(target), (s3) => s3.send(new CreateBucketCommand({ Bucket: BUCKET, ObjectLockEnabledForBucket: true })));
    const template = await withClient(fisClient(target), (fis) => fis.send(new CreateExperimentTemplateCommand({
      description: 'wait', roleArn: `arn:aws:iam::${ACCOUNT}:role/fis`, stopConditions: [{ source: 'none' }],
      actions: { wait: { actionId: 'aws:fis:wait', parameters: { duration: 'PT1M' } } },
    })));
    app = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    work = createTempDir('shared-history');
    runner = generateKeyFile(join(work.path, 'keys', 'ci-runner.pem'));
    approver = generateKeyFile(join(work.path, 'keys', 'alice.pem'));
    kmsApprover = await withClient(kmsClient(target), async (kms) => {
      const { KeyMetadata } = await kms.send(new CreateKeyCommand({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' }));
      const { PublicKey } = await kms.send(new GetPublicKeyCommand({ KeyId: KeyMetadata!.KeyId! }));
      return { keyId: KeyMetadata!.KeyId!, publicFile: work.write('bob.der', Buffer.from(PublicKey!)) };
    });
    config = work.write('firedrill.config.yaml', stringify({
      environments: { emu: { aws: { accounts: [ACCOUNT], regions: [REGION], endpoints: { default: moto.endpoint } } } },
      history: { s3: { bucket: BUCKET, region: REGION, retentionDays: 7, endpoint: moto.endpoint }, signing: { keyFile: 'keys/ci-runner.pem' } },
    }));
    auditorConfig = work.write('auditor.config.yaml', stringify({ history: { s3: { bucket: BUCKET, region: REGION, retentionDays: 7, endpoint: moto.endpoint } } }));
    work.write('drill.yaml', stringify({
      scenario: 'shared-history',
      faults: [{ name: 'wait-experiment', kind: 'fis', region: REGION, template: template.experimentTemplate!.id!, pollInterval: '100ms' }],
      probes: [{ name: 'app', kind: 'http', url: `http://127.0.0.1:${(app.address() as AddressInfo).port}/`, interval: '100ms' }],
      milestones: { recovered: { probe: 'app', consecutive: 1 } },
      steadyState: { window: '300ms' },
      observe: { timeout: '1s', settle: '0s' },
      verify: { window: '300ms' },
      targets: { rto: '30s' },
      guardrails: { maxDuration: '60s' },
    }));
  });

  after(async function () {
    await new Promise<void>((resolve) => (app ? app.close(() => resolve()) : resolve()));
    await moto?.stop();
    work?.remove();
  });

  /** `firedrill ARGS` from its own folder ("a fresh clone") with its own state folder; the auditor's with the auditor's config. */
  function firedrillIn(clone: string, args: string[]) {
    const cwd = join(work.path, clone);
    mkdirSync(cwd, { recursive: true });
    return runCli([...args, '--config', clone === 'auditor' ? auditorConfig : config, '--state-dir', join(cwd, '.firedrill')], { cwd, env: CREDENTIALS, timeoutMs: 90_000 });
  }

  it('a history bucket without Object Lock is refused before the drill injects anything (exit 2)', async function () {
    const target = emulatorTarget(moto.endpoint, REGION);
    await withClient(s3Client(target), (s3) => s3.send(new CreateBucketCommand({ Bucket: 'plain-evidence' })));
    const plainConfig = work.write('plain.config.yaml', readFileSync(config, 'utf8').replace(`bucket: ${BUCKET}`, 'bucket: plain-evidence'));
    const experiments = () => withClient(fisClient(target), async (fis) => (await fis.send(new ListExperimentsCommand({}))).experiments?.length ?? 0);
    const before = await experiments();
    const cwd = join(work.path, 'runner-plain');
    mkdirSync(cwd, { recursive: true });
    const run = await runCli(['run', join(work.path, 'drill.yaml'), '--env', 'emu', '--out', join(cwd, 'out'), '--config', plainConfig, '--state-dir', join(cwd, '.firedrill')], { cwd, env: CREDENTIALS, timeoutMs: 90_000 });
    expect(run.code, run.output).to.equal(2);
    expect(run.output).to.include('history.s3.bucket: s3://plain-evidence has no Object Lock');
    expect(await experiments(), 'no FIS experiment was started').to.equal(before);
  });

  it('two runners append their drills to the bucket: records 1 and 2', async function () {
    for (const clone of ['runner-a', 'runner-b']) {
      const out = join(work.path, clone, 'out');
      const run = await firedrillIn(clone, ['run', join(work.path, 'drill.yaml'), '--env', 'emu', '--out', out]);
      expect(run.code, run.output).to.equal(0);
      expect(run.output).to.match(new RegExp(`history: record ${drills.length + 1} in s3://${BUCKET}/firedrill/history/`));
      drills.push({ id: (JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as DrillResult).drillId, out });
    }
  });

  it('each result names firedrill\'s version and every AWS call that changed something, with its request id', function () {
    const result = JSON.parse(readFileSync(join(drills[0]!.out, 'result.json'), 'utf8')) as DrillResult;
    const version = (JSON.parse(readFileSync(join(PROJECT_DIR, 'package.json'), 'utf8')) as { version: string }).version;
    expect(result.provenance!.firedrill).to.equal(version);
    expect(result.scenario.sha256).to.match(/^[0-9a-f]{64}$/);
    expect(result.caller?.account).to.equal(ACCOUNT);
    const changes = result.provenance!.awsChanges;
    // moto's experiment has ended by the revert, so StopExperiment is not needed: the start is the one change.
    expect(changes.map((c) => `${c.service} ${c.operation}`)).to.deep.equal(['Fis StartExperiment']);
    expect(changes.map((c) => c.operation), 'reads are not changes').to.not.include.members(['GetCallerIdentity', 'GetExperiment']);
    for (const change of changes) {
      expect(change.requestId, `${change.operation}'s request id`).to.be.a('string').and.not.equal('');
      expect(change.region).to.equal(REGION);
      expect(Date.parse(change.at)).to.be.within(Date.parse(result.startedAt), Date.parse(result.endedAt));
    }
  });

  it('a third process lists both drills in order from the bucket', async function () {
    const history = await firedrillIn('auditor', ['report', 'history']);
    expect(history.code, history.output).to.equal(0);
    const [first, second] = drills.map((d) => history.stdout.indexOf(d.id));
    expect(first, history.stdout).to.be.above(-1);
    expect(second, history.stdout).to.be.above(first!);
  });

  it('sign-offs by approvers\' keys (a key file, a KMS key) and by the runner\'s own key; verify with public keys only passes and marks the last self-attested', async function () {
    const signed = await firedrillIn('approver', ['report', 'sign-off', '--drill', drills[0]!.id, '--key', approver.privateFile, '--by', 'alice']);
    expect(signed.code, signed.output).to.equal(0);
    expect(signed.stdout).to.include(`sign-off: record 3 in s3://${BUCKET}/firedrill/history/: alice approves record 1 (drill ${drills[0]!.id})`);
    const kms = await firedrillIn('approver-kms', ['report', 'sign-off', '--drill', drills[0]!.id, '--kms-key-id', kmsApprover.keyId, '--kms-region', REGION, '--by', 'bob']);
    expect(kms.code, kms.output).to.equal(0);
    expect(kms.stdout).to.include(`bob approves record 1 (drill ${drills[0]!.id}), signed with KMS key ${kmsApprover.keyId}`);
    const self = await firedrillIn('runner-b', ['report', 'sign-off', '--drill', drills[1]!.id, '--key', runner.privateFile, '--by', 'ci']);
    expect(self.code, self.output).to.equal(0);

    const verify = await firedrillIn('auditor', ['report', 'verify', '--public-key', runner.publicFile, '--public-key', approver.publicFile, '--public-key', kmsApprover.publicFile]);
    expect(verify.code, verify.output).to.equal(0);
    expect(verify.stdout).to.include(`s3://${BUCKET}/firedrill/history/: 5 record(s)`);
    expect(verify.stdout).to.include('5 signature(s) checked against 3 key(s): chain, signatures and every SHA-256 intact');
    const signOffs = verify.stdout.split('\n').filter((l) => l.startsWith('sign-off: '));
    expect(signOffs).to.have.length(3);
    expect(signOffs[0]).to.match(new RegExp(`^sign-off: record 1 \\(drill ${drills[0]!.id}\\): signed off by alice at \\S+ \\(key [0-9a-f]{16}…\\)$`));
    expect(signOffs[1]).to.match(new RegExp(`^sign-off: record 1 \\(drill ${drills[0]!.id}\\): signed off by bob at \\S+ \\(key [0-9a-f]{16}…\\)$`));
    expect(signOffs[2]).to.match(new RegExp(`^sign-off: record 2 \\(drill ${drills[1]!.id}\\): signed off by ci at \\S+ \\(key [0-9a-f]{16}…\\): self-attested`));
  });

  it('without the approver\'s key, verify fails and names the sign-off it could not check', async function () {
    const verify = await firedrillIn('auditor', ['report', 'verify', '--public-key', runner.publicFile]);
    expect(verify.code).to.equal(1);
    expect(verify.stdout).to.match(new RegExp(`TAMPERED: record 3 \\(sign-off of drill ${drills[0]!.id} by alice\\): signed only by keys not given to verify`));
  });
});
