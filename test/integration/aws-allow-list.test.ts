/**
 * Issue 3: a scenario that would touch a Region or account outside its environment's allow-list
 * exits 2 before any call that changes anything. `firedrill run` is called in-process against an
 * environment whose endpoint is moto and whose credentials (from the environment variables, as
 * the default chain reads them) work — so a run that got past the check would really create an
 * FIS template and change the record, and the emulator's state would show it. The environment's
 * endpoint is a recording proxy in front of moto, so any AWS call at all would be seen too.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ListExperimentsCommand, ListExperimentTemplatesCommand } from '@aws-sdk/client-fis';
import { ChangeResourceRecordSetsCommand, CreateHostedZoneCommand, type Route53Client } from '@aws-sdk/client-route-53';
import { expect } from 'chai';
import { stringify } from 'yaml';
import { emulatorTarget, fisClient, route53Client } from '../../src/aws/clients.js';
import { startMoto, type Emulator } from '../../lab/emulator.js';
import { main } from '../../src/cli/main.js';
import { EXIT } from '../../src/runtime/errors.js';
import { readRecordSet } from '../../src/aws/route53-records.js';
import { captureIo } from '../support/capture-io.js';
import { startHttpFaultProxy, type HttpFaultProxy } from '../support/http-fault-proxy.js';
import { useShellCredentials } from '../support/shell-credentials.js';
import { createTempDir, type TempDir } from '../support/temp-dir.js';

const projectDir = fileURLToPath(new URL('../..', import.meta.url));
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const RECORD = 'app.allow-list.test';
const ORIGINAL_VALUE = '192.0.2.1';

type Scenario = Record<string, any>;

/**
 * Inside the allow-list: an FIS inline template, a record pin at fault time, an alarm signal, and
 * a probe of a healthy local app — so a run that got past the check would pass its steady state
 * and go on to inject.
 */
function allowedScenario(hostedZoneId: string, appUrl: string): Scenario {
  return {
    scenario: 'allow-list',
    faults: [{
      name: 'fis-outage',
      kind: 'fis',
      region: REGION,
      inlineTemplate: {
        actions: { wait: { actionId: 'aws:fis:wait', parameters: { duration: 'PT1M' } } },
        roleArn: `arn:aws:iam::${ACCOUNT}:role/firedrill-fis`,
      },
    }],
    probes: [{ name: 'app', kind: 'http', url: appUrl }],
    signals: [{ name: 'health', kind: 'cloudwatch-alarm', alarm: 'app-health', region: REGION }],
    steps: [{ name: 'pin-record', kind: 'route53-record-change', when: 'fault', hostedZoneId, recordName: RECORD, values: ['192.0.2.99'] }],
    milestones: { detect: { signal: 'health', becomes: 'ALARM' }, recovered: { probe: 'app', consecutive: 1 } },
    steadyState: { window: '1s' },
    observe: { timeout: '5s' },
    targets: { rto: '30s' },
    guardrails: { maxDuration: '60s' },
  };
}

interface RefusedCase {
  title: string;
  change(s: Scenario): void;
  /** What the message must name: the field path and the offending Region or account. */
  expected: string[];
  /** Regions whose FIS state must stay empty, besides the allowed one. */
  region?: string;
}

const REFUSED: RefusedCase[] = [
  {
    title: 'an FIS fault in eu-west-1',
    change: (s) => { s.faults[0].region = 'eu-west-1'; },
    expected: ['faults[0].region', 'Region eu-west-1'],
    region: 'eu-west-1',
  },
  {
    title: 'an FIS inline template whose role is in account 999999999999',
    change: (s) => { s.faults[0].inlineTemplate.roleArn = 'arn:aws:iam::999999999999:role/firedrill-fis'; },
    expected: ['faults[0].inlineTemplate.roleArn', 'account 999999999999'],
  },
  {
    title: 'a route53-record-change step in eu-central-1',
    change: (s) => { s.steps[0].region = 'eu-central-1'; },
    expected: ['steps[0].region', 'Region eu-central-1'],
    region: 'eu-central-1',
  },
  {
    title: 'a cloudwatch-alarm signal in ap-southeast-2',
    change: (s) => { s.signals[0].region = 'ap-southeast-2'; },
    expected: ['signals[0].region', 'Region ap-southeast-2'],
    region: 'ap-southeast-2',
  },
];

describe('AWS allow-list on moto: a scenario outside it exits 2 and changes nothing', function () {
  let moto: Emulator;
  let recorder: HttpFaultProxy;
  let r53: Route53Client;
  let work: TempDir;
  let configFile: string;
  let hostedZoneId: string;
  let app: Server;
  let appUrl: string;
  let restoreCredentials: (() => void) | undefined;

  before(async function () {
    moto = await startMoto({ projectDir });
    recorder = await startHttpFaultProxy({ upstream: moto.endpoint });
    app = createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}/`;
    r53 = route53Client(emulatorTarget(moto.endpoint, REGION));
    const zone = await r53.send(new CreateHostedZoneCommand({ Name: 'allow-list.test', CallerReference: 'allow-list-test' }));
    hostedZoneId = zone.HostedZone!.Id!;
    await r53.send(new ChangeResourceRecordSetsCommand({
      HostedZoneId: hostedZoneId,
      ChangeBatch: { Changes: [{ Action: 'UPSERT', ResourceRecordSet: { Name: `${RECORD}.`, Type: 'A', TTL: 60, ResourceRecords: [{ Value: ORIGINAL_VALUE }] } }] },
    }));
    work = createTempDir('allow-list');
    configFile = work.write('firedrill.config.yaml', stringify({
      environments: { emu: { aws: { accounts: [ACCOUNT], regions: [REGION], endpoints: { default: recorder.endpoint } } } },
    }));
    restoreCredentials = useShellCredentials();
  });

  after(async function () {
    restoreCredentials?.();
    r53?.destroy();
    await new Promise((resolve) => (app ? app.close(resolve) : resolve(undefined)));
    await recorder?.stop();
    await moto?.stop();
    work?.remove();
  });

  async function firedrill(command: 'run' | 'validate', scenario: Scenario, label: string): Promise<{ code: number; text: string; stateDir: string; cwd: string }> {
    const file = work.write(`${label}.yaml`, stringify(scenario));
    const cwd = join(work.path, `cwd-${label}`);
    const stateDir = join(work.path, `state-${label}`);
    mkdirSync(cwd);
    const { io, text } = captureIo(cwd);
    const code = await main([command, file, '--env', 'emu', '--config', configFile, '--state-dir', stateDir], io);
    return { code, text: text(), stateDir, cwd };
  }

  async function expectNoFisCalls(regions: string[]): Promise<void> {
    for (const region of regions) {
      const fis = fisClient(emulatorTarget(moto.endpoint, region));
      try {
        const templates = await fis.send(new ListExperimentTemplatesCommand({}));
        const experiments = await fis.send(new ListExperimentsCommand({}));
        expect(templates.experimentTemplates ?? [], `experiment templates in ${region}`).to.deep.equal([]);
        expect(experiments.experiments ?? [], `experiments in ${region}`).to.deep.equal([]);
      } finally {
        fis.destroy();
      }
    }
  }

  for (const [i, refused] of REFUSED.entries()) {
    it(`refuses ${refused.title}: exit 2, names field and value, no mutating call, no journal`, async function () {
      const scenario = allowedScenario(hostedZoneId, appUrl);
      refused.change(scenario);
      const from = recorder.requests.length;
      const { code, text, stateDir, cwd } = await firedrill('run', scenario, `refused-${i}`);

      expect(code, text).to.equal(EXIT.invalid);
      expect(text).to.contain('would touch AWS resources outside environment "emu"');
      for (const part of refused.expected) expect(text).to.contain(part);

      expect(recorder.requests.slice(from).map((r) => `${r.service} ${r.operation}`), 'AWS calls made by firedrill').to.deep.equal([]);
      await expectNoFisCalls([REGION, ...(refused.region ? [refused.region] : [])]);
      const record = await readRecordSet(r53, { hostedZoneId, recordName: RECORD, type: 'A' });
      expect(record?.ResourceRecords?.map((r) => r.Value), 'the record keeps its value').to.deep.equal([ORIGINAL_VALUE]);
      expect(existsSync(join(stateDir, 'journal')), 'a journal was written').to.equal(false);
      expect(readdirSync(cwd), 'the drill wrote output').to.deep.equal([]);
    });
  }

  it('lists every problem of a scenario that breaks the allow-list in several places', async function () {
    const scenario = allowedScenario(hostedZoneId, appUrl);
    for (const refused of REFUSED) refused.change(scenario);
    const { code, text } = await firedrill('run', scenario, 'refused-all');
    expect(code, text).to.equal(EXIT.invalid);
    for (const part of REFUSED.flatMap((r) => r.expected)) expect(text).to.contain(part);
    await expectNoFisCalls([REGION, 'eu-west-1']);
  });

  it('control: the same scenario inside the allow-list validates (exit 0)', async function () {
    const { code, text } = await firedrill('validate', allowedScenario(hostedZoneId, appUrl), 'allowed');
    expect(code, text).to.equal(EXIT.passed);
    expect(text).to.contain('valid scenario "allow-list" for environment "emu"');
  });
});
