/**
 * Issue 19: before anything changes, a drill asks STS who its credentials belong to. The scenario
 * names an FIS template id and an alarm name, no ARNs, so only the caller's account can tell an
 * environment pointed at the wrong account. `firedrill run` is called in-process; the
 * environment's endpoint is a recording proxy in front of moto, and the scenario's first fault is
 * an application fault hook that records every call it gets, so any change would be seen.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { CreateExperimentTemplateCommand, ListExperimentsCommand } from '@aws-sdk/client-fis';
import { expect } from 'chai';
import { stringify } from 'yaml';
import { cloudWatchClient, emulatorTarget, fisClient } from '../../src/aws/clients.js';
import { startMoto, type Emulator } from '../../lab/emulator.js';
import { main } from '../../src/cli/main.js';
import { EXIT } from '../../src/runtime/errors.js';
import { Journal } from '../../src/runner/journal.js';
import type { DrillResult } from '../../src/runner/result.js';
import { captureIo } from '../support/capture-io.js';
import { startHttpFaultProxy, type HttpFaultProxy } from '../support/http-fault-proxy.js';
import { createTempDir, type TempDir } from '../support/temp-dir.js';

const projectDir = fileURLToPath(new URL('../..', import.meta.url));
const MOTO_ACCOUNT = '123456789012';
const OTHER_ACCOUNT = '111122223333';
const REGION = 'us-east-1';
const ALARM = 'identity-app-health';

/** Credentials as a user's shell gives them (the config has none); restored after the test. */
const SHELL_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' };
/** Everything the default chain reads, emptied for "no credentials at all" (and no instance metadata: loopback only). */
const NO_CREDENTIALS = {
  AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined, AWS_SESSION_TOKEN: undefined, AWS_PROFILE: undefined,
  AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined, AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined, AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/firedrill-credentials', AWS_CONFIG_FILE: '/nonexistent/firedrill-config', AWS_EC2_METADATA_DISABLED: 'true',
};

function setEnv(values: Record<string, string | undefined>): () => void {
  const saved = Object.fromEntries(Object.keys(values).map((key) => [key, process.env[key]]));
  const apply = (next: Record<string, string | undefined>) => {
    for (const [key, value] of Object.entries(next)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
  apply(values);
  return () => apply(saved);
}

/** A local server that records each request and answers `answer(req)` (200 "ok" by default). */
async function startRecordingServer(answer: (req: IncomingMessage) => { status: number; headers?: Record<string, string>; body: string } = () => ({ status: 200, body: 'ok' })) {
  const calls: string[] = [];
  const server: Server = createServer((req, res) => {
    calls.push(`${req.method} ${req.url}`);
    req.resume();
    req.on('end', () => {
      const reply = answer(req);
      res.writeHead(reply.status, reply.headers ?? {});
      res.end(reply.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    stop: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

describe('STS identity preflight on moto: the credentials\' account must be on the allow-list', function () {
  let moto: Emulator;
  let recorder: HttpFaultProxy;
  let hook: Awaited<ReturnType<typeof startRecordingServer>>;
  let app: Awaited<ReturnType<typeof startRecordingServer>>;
  let expiredSts: Awaited<ReturnType<typeof startRecordingServer>>;
  let work: TempDir;
  let configFile: string;
  let templateId: string;
  let restoreEnv: () => void;

  before(async function () {
    moto = await startMoto({ projectDir });
    recorder = await startHttpFaultProxy({ upstream: moto.endpoint });
    hook = await startRecordingServer();
    app = await startRecordingServer();
    // moto accepts any credentials: expired ones are answered here the way STS answers them (Query protocol, 403).
    expiredSts = await startRecordingServer(() => ({
      status: 403,
      headers: { 'content-type': 'text/xml' },
      body: '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>ExpiredToken</Code><Message>The security token included in the request is expired</Message></Error><RequestId>stand-in</RequestId></ErrorResponse>',
    }));
    const target = emulatorTarget(moto.endpoint, REGION);
    const cw = cloudWatchClient(target);
    const fis = fisClient(target);
    try {
      await cw.send(new PutMetricAlarmCommand({ AlarmName: ALARM, Namespace: 'App', MetricName: 'Errors', Statistic: 'Sum', Period: 10, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' }));
      const created = await fis.send(new CreateExperimentTemplateCommand({
        description: 'a team\'s own template', roleArn: `arn:aws:iam::${MOTO_ACCOUNT}:role/fis`, stopConditions: [{ source: 'none' }],
        actions: { wait: { actionId: 'aws:fis:wait', parameters: { duration: 'PT1M' } } },
      }));
      templateId = created.experimentTemplate!.id!;
    } finally {
      cw.destroy();
      fis.destroy();
    }
    work = createTempDir('identity');
    const aws = (accounts: string[], extra: Record<string, unknown> = {}) => ({ aws: { accounts, regions: [REGION], endpoints: { default: recorder.endpoint }, ...extra } });
    configFile = work.write('firedrill.config.yaml', stringify({
      environments: {
        other: aws([OTHER_ACCOUNT]),
        emu: aws([MOTO_ACCOUNT]),
        guarded: { ...aws([MOTO_ACCOUNT]), confirm: true },
        expired: aws([MOTO_ACCOUNT], { endpoints: { default: recorder.endpoint, sts: expiredSts.url } }),
      },
    }));
    restoreEnv = setEnv(SHELL_CREDENTIALS);
  });

  after(async function () {
    restoreEnv?.();
    await Promise.all([hook?.stop(), app?.stop(), expiredSts?.stop(), recorder?.stop()]);
    await moto?.stop();
    work?.remove();
  });

  /** No ARN anywhere: an FIS template id and an alarm name. */
  const scenario = () => ({
    scenario: 'identity',
    faults: [
      { name: 'app-fault', kind: 'http-hook', on: { url: `${hook.url}/fault/on` }, off: { url: `${hook.url}/fault/off` } },
      { name: 'team-template', kind: 'fis', region: REGION, template: templateId, pollInterval: '100ms' },
    ],
    probes: [{ name: 'app', kind: 'http', url: `${app.url}/`, interval: '100ms' }],
    signals: [{ name: 'health', kind: 'cloudwatch-alarm', alarm: ALARM, region: REGION, interval: '200ms' }],
    milestones: { recovered: { probe: 'app', consecutive: 1 } },
    steadyState: { window: '300ms' },
    observe: { timeout: '1s', settle: '0s' },
    verify: { window: '300ms' },
    targets: { rto: '30s' },
    guardrails: { maxDuration: '60s' },
  });

  async function firedrill(args: string[], label: string) {
    const file = work.write(`${label}.yaml`, stringify(scenario()));
    const cwd = join(work.path, `cwd-${label}`);
    mkdirSync(cwd);
    const out = join(cwd, 'out');
    const { io, text } = captureIo(cwd);
    const from = { aws: recorder.requests.length, hook: hook.calls.length };
    const [command, ...rest] = args;
    const code = await main([command!, file, ...rest, '--config', configFile, '--state-dir', join(work.path, `state-${label}`), ...(command === 'run' ? ['--out', out] : [])], io);
    const awsCalls = recorder.requests.slice(from.aws).map((r) => `${r.service} ${r.operation}`);
    return { code, text: text(), out, awsCalls, hookCalls: hook.calls.slice(from.hook) };
  }

  async function experimentCount(): Promise<number> {
    const fis = fisClient(emulatorTarget(moto.endpoint, REGION));
    try {
      return (await fis.send(new ListExperimentsCommand({}))).experiments?.length ?? 0;
    } finally {
      fis.destroy();
    }
  }

  it('refuses an environment whose allow-list lacks the caller\'s account: exit 2, both accounts named, only STS asked', async function () {
    const experimentsBefore = await experimentCount();
    const { code, text, awsCalls, hookCalls, out } = await firedrill(['run', '--env', 'other'], 'other');
    expect(code, text).to.equal(EXIT.invalid);
    expect(text).to.contain(`the AWS credentials belong to account ${MOTO_ACCOUNT}, which is not on the allow-list of environment "other" (allowed: ${OTHER_ACCOUNT})`);
    expect(text).to.contain(`caller arn:aws:sts::${MOTO_ACCOUNT}:user/moto`);
    expect(awsCalls, 'AWS calls').to.deep.equal(['sts GetCallerIdentity']);
    expect(hookCalls, 'calls to the fault hook').to.deep.equal([]);
    expect(await experimentCount(), 'FIS experiments').to.equal(experimentsBefore);
    expect(existsSync(join(out, 'result.json')), 'a result was written').to.equal(false);
  });

  it('plan shows the identity it would run as, and refuses the same way', async function () {
    const allowed = await firedrill(['plan', '--env', 'emu'], 'plan-emu');
    expect(allowed.code, allowed.text).to.equal(EXIT.passed);
    expect(allowed.text).to.contain(`runs as arn:aws:sts::${MOTO_ACCOUNT}:user/moto (account ${MOTO_ACCOUNT}; allowed: ${MOTO_ACCOUNT})`);
    expect(allowed.awsCalls).to.deep.equal(['sts GetCallerIdentity']);
    const refused = await firedrill(['plan', '--env', 'other'], 'plan-other');
    expect(refused.code, refused.text).to.equal(EXIT.invalid);
    expect(refused.text).to.contain(`which is not on the allow-list of environment "other" (allowed: ${OTHER_ACCOUNT})`);
  });

  it('runs an allowed drill and names the caller\'s ARN in the result', async function () {
    const { code, text, out, awsCalls, hookCalls } = await firedrill(['run', '--env', 'emu'], 'emu');
    expect(code, text).to.be.oneOf([EXIT.passed, EXIT.failed]);
    expect(awsCalls[0], 'the first AWS call').to.equal('sts GetCallerIdentity');
    expect(hookCalls, 'the fault hook was switched on and off').to.deep.equal(['POST /fault/on', 'POST /fault/off']);
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as DrillResult;
    expect(result.caller).to.deep.equal({ account: MOTO_ACCOUNT, arn: `arn:aws:sts::${MOTO_ACCOUNT}:user/moto`, userId: result.caller!.userId });
    expect(result.caller!.userId).to.be.a('string').and.not.equal('');
  });

  it('with no credentials at all: exit 2 saying so, before anything is injected', async function () {
    const restore = setEnv(NO_CREDENTIALS);
    try {
      const { code, text, awsCalls, hookCalls } = await firedrill(['run', '--env', 'emu'], 'no-credentials');
      expect(code, text).to.equal(EXIT.invalid);
      expect(text).to.contain('environment "emu" (us-east-1): no AWS credentials found in the default credential chain');
      expect(awsCalls, 'AWS calls').to.deep.equal([]);
      expect(hookCalls, 'calls to the fault hook').to.deep.equal([]);
    } finally {
      restore();
    }
  });

  it('with expired credentials: exit 2 naming STS\'s answer, before anything is injected', async function () {
    const { code, text, awsCalls, hookCalls } = await firedrill(['run', '--env', 'expired'], 'expired');
    expect(code, text).to.equal(EXIT.invalid);
    expect(text).to.contain('STS refused the AWS credentials from the default credential chain (ExpiredToken: The security token included in the request is expired)');
    expect(expiredSts.calls.length, 'STS stand-in asked').to.be.at.least(1);
    expect(awsCalls, 'AWS calls to moto').to.deep.equal([]);
    expect(hookCalls).to.deep.equal([]);
  });

  it('cleanup reverts nothing with credentials of an account off the allow-list', async function () {
    const stateDir = join(work.path, 'state-cleanup');
    const journal = Journal.forEnvironment(stateDir, 'other');
    const settings = { on: { url: `${hook.url}/fault/on`, method: 'POST' }, off: { url: `${hook.url}/fault/off`, method: 'POST' } };
    await journal.record({ drillId: 'crashed-drill', environment: 'other', name: 'app-fault', kind: 'http-hook', settings, state: { injectedAt: 1 }, status: 'injected' });
    const from = { aws: recorder.requests.length, hook: hook.calls.length };
    const { io, text } = captureIo(work.path);
    const code = await main(['cleanup', '--env', 'other', '--config', configFile, '--state-dir', stateDir], io);
    expect(code, text()).to.equal(EXIT.invalid);
    expect(text()).to.contain(`the AWS credentials belong to account ${MOTO_ACCOUNT}, which is not on the allow-list of environment "other"`);
    expect(recorder.requests.slice(from.aws).map((r) => `${r.service} ${r.operation}`)).to.deep.equal(['sts GetCallerIdentity']);
    expect(hook.calls.slice(from.hook), 'calls to the fault hook').to.deep.equal([]);
    expect(journal.unreverted().map((e) => e.name), 'still in the journal').to.deep.equal(['app-fault']);
  });

  it('an environment marked confirm runs only with --confirm naming it', async function () {
    const missing = await firedrill(['run', '--env', 'guarded'], 'guarded-missing');
    expect(missing.code, missing.text).to.equal(EXIT.invalid);
    expect(missing.text).to.contain('environment "guarded" is marked "confirm: true": run again with --confirm guarded (no --confirm was given)');
    const wrong = await firedrill(['run', '--env', 'guarded', '--confirm', 'emu'], 'guarded-wrong');
    expect(wrong.code, wrong.text).to.equal(EXIT.invalid);
    expect(wrong.text).to.contain('(--confirm named "emu")');
    expect([...missing.awsCalls, ...wrong.awsCalls, ...missing.hookCalls, ...wrong.hookCalls]).to.deep.equal([]);
    const confirmed = await firedrill(['run', '--env', 'guarded', '--confirm', 'guarded'], 'guarded-ok');
    expect(confirmed.code, confirmed.text).to.be.oneOf([EXIT.passed, EXIT.failed]);
    expect(confirmed.hookCalls).to.deep.equal(['POST /fault/on', 'POST /fault/off']);
  });
});
