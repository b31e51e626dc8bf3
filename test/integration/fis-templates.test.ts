/**
 * Issue 19: FIS experiment templates as teams have them (test/fixtures/fis-templates, from AWS's
 * public template library and in the shape `aws fis get-experiment-template` exports). A team
 * fills the library's `<YOUR …>` placeholders with `${vars.x}` from its environment; firedrill
 * reads the file through `templateFile:` (or the same JSON as `inlineTemplate`), and creates the
 * template in moto with the template's own tags plus the drill's, and its log and report
 * configuration. A placeholder left in, a field FIS does not have, a malformed ARN, or an ARN
 * outside the allow-list is refused by `validate`, naming the field.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { stringify } from 'yaml';
import { emulatorTarget } from '../../src/aws/clients.js';
import { startMoto, type Emulator } from '../../lab/emulator.js';
import { main } from '../../src/cli/main.js';
import { createClock } from '../../src/core/clock.js';
import type { JsonObject } from '../../src/core/json.js';
import type { FaultContext } from '../../src/faults/fault.js';
import { createFisFault, type FisSettings } from '../../src/faults/fis.js';
import { unwrapExport } from '../../src/faults/fis-template.js';
import { kindsFor } from '../../src/runner/builtin-kinds.js';
import { schemasOf } from '../../src/runner/kinds.js';
import { EXIT } from '../../src/runtime/errors.js';
import { assertAllowed } from '../../src/scenario/allow-list.js';
import type { Environment } from '../../src/scenario/environment.js';
import { loadScenario } from '../../src/scenario/load.js';
import { captureIo } from '../support/capture-io.js';
import { createTempDir, type TempDir } from '../support/temp-dir.js';

const projectDir = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURES = join(projectDir, 'test', 'fixtures', 'fis-templates');
const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

/** Valid FIS input once filled: the library's, and one exported by get-experiment-template. */
const ACCEPTED = ['aurora-cluster-failover', 'aurora-postgres-cluster-loadtest-failover', 'dynamodb-traffic-blackhole-region-impairment', 'ecs-fargate-az-impairment', 'sqs-queue-impairment', 'exported-az-wait'];

/** `<YOUR AWS ACCOUNT>` → `your_aws_account`: the variable a team puts in its place. */
const slugOf = (placeholder: string) => placeholder.slice(1, -1).toLowerCase().replace(/[^a-z0-9]+/g, '_');

/** What the environment gives each placeholder's variable. */
function valueFor(slug: string): string {
  if (slug.includes('account')) return ACCOUNT;
  if (slug.includes('az')) return `${REGION}a`;
  if (slug.includes('region')) return REGION;
  return slug.replace(/_/g, '-');
}

function placeholdersIn(text: string): string[] {
  return [...new Set(text.match(/<[^<>"]+>/g) ?? [])];
}

/** The fixture with each `<YOUR …>` replaced by `${vars.your_…}`, as a team keeps its copy. */
function withVariables(text: string): string {
  return placeholdersIn(text).reduce((out, p) => out.replaceAll(p, `\${vars.${slugOf(p)}}`), text);
}

/** The fixture with every placeholder filled in directly (what the loader makes of `withVariables`). */
function filled(text: string): string {
  return placeholdersIn(text).reduce((out, p) => out.replaceAll(p, valueFor(slugOf(p))), text);
}

const fixture = (name: string) => readFileSync(join(FIXTURES, `${name}.json`), 'utf8');

function contextFor(drillId: string): FaultContext {
  return { clock: createClock(), signal: new AbortController().signal, drillId, remember: async () => {}, log: () => {} };
}

describe('FIS templates as teams have them (templateFile, inlineTemplate) on moto', function () {
  let moto: Emulator;
  let work: TempDir;
  let environment: Environment;
  let configFile: string;

  before(async function () {
    moto = await startMoto({ projectDir });
    work = createTempDir('fis-templates');
    const vars = Object.fromEntries(
      [...ACCEPTED, 'mysql-rds-loadtest-failover'].flatMap((name) => placeholdersIn(fixture(name))).map((p) => [slugOf(p), valueFor(slugOf(p))]),
    );
    environment = {
      name: 'emu',
      aws: { accounts: [ACCOUNT], regions: [REGION], endpoints: { default: moto.endpoint }, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } },
      vars,
    };
    mkdirSync(join(work.path, 'templates'));
    configFile = work.write('firedrill.config.yaml', stringify({ environments: { emu: { aws: { accounts: [ACCOUNT], regions: [REGION], endpoints: { default: moto.endpoint } }, vars } } }));
  });

  after(async function () {
    await moto?.stop();
    work?.remove();
  });

  /** A scenario whose one fault is `fault` (an FIS fault in us-east-1 besides the given keys). */
  function scenarioFile(label: string, fault: Record<string, unknown>): string {
    return work.write(`${label}.yaml`, stringify({
      scenario: label,
      faults: [{ name: 'team-template', kind: 'fis', region: REGION, pollInterval: '50ms', ...fault }],
      probes: [{ name: 'app', kind: 'http', url: 'http://127.0.0.1:9/' }],
      milestones: { recovered: { probe: 'app', consecutive: 1 } },
      observe: { timeout: '5s' },
      targets: { rto: '30s' },
    }));
  }

  async function fisSettingsOf(file: string): Promise<FisSettings> {
    const scenario = await loadScenario(file, environment, schemasOf(kindsFor(environment)));
    assertAllowed(scenario, environment);
    return scenario.entries.faults[0]!.settings as FisSettings;
  }

  async function validate(file: string): Promise<{ code: number; text: string }> {
    const { io, text } = captureIo(work.path);
    const code = await main(['validate', file, '--env', 'emu', '--config', configFile], io);
    return { code, text: text() };
  }

  /** GetExperimentTemplate's JSON as moto answers it (the SDK 3.523 drops experimentReportConfiguration). */
  async function templateAsFisHasIt(id: string): Promise<Record<string, any>> {
    const answer = await fetch(`${moto.endpoint}/experimentTemplates/${id}`, {
      headers: { authorization: `AWS4-HMAC-SHA256 Credential=testing/20260101/${REGION}/fis/aws4_request, SignedHeaders=host, Signature=0` },
    });
    expect(answer.status).to.equal(200);
    return ((await answer.json()) as { experimentTemplate: Record<string, any> }).experimentTemplate;
  }

  for (const name of ACCEPTED) {
    it(`${name}: accepted through templateFile and inlineTemplate alike, and created with its tags, log and report configuration`, async function () {
      work.write(join('templates', `${name}.json`), withVariables(fixture(name)));
      const fromFile = await fisSettingsOf(scenarioFile(`${name}-file`, { templateFile: `./templates/${name}.json` }));
      // What CreateExperimentTemplate takes: an export without its wrapper and read-only fields.
      const template = unwrapExport(JSON.parse(filled(fixture(name)))) as Record<string, any>;
      const inline = await fisSettingsOf(scenarioFile(`${name}-inline`, { inlineTemplate: template }));
      expect(fromFile.templateFile, 'the file read with ${vars.x} filled').to.deep.equal(inline.inlineTemplate);

      const fault = createFisFault((region) => emulatorTarget(moto.endpoint, region));
      const drillId = `templates-${name}`;
      const ctx = contextFor(drillId);
      const injection = await fault.inject(fromFile, ctx);
      try {
        const created = await templateAsFisHasIt(injection.state.templateId as string);
        expect(created.tags).to.deep.equal({ ...template.tags, 'firedrill:drill': drillId });
        expect(created.roleArn).to.equal(template.roleArn);
        expect(created.description).to.equal(template.description);
        expect(Object.keys(created.actions)).to.have.members(Object.keys(template.actions));
        if (template.logConfiguration) expect(created.logConfiguration).to.deep.equal(template.logConfiguration);
        if (template.experimentOptions) expect(created.experimentOptions).to.include(template.experimentOptions);
        if (template.experimentReportConfiguration) expect(created.experimentReportConfiguration).to.deep.equal(template.experimentReportConfiguration);
      } finally {
        await fault.revert(fromFile, injection.state as JsonObject, ctx);
      }
      await fault.verifyReverted(fromFile, injection.state as JsonObject, ctx);
    });
  }

  it('the library\'s templates as published (placeholders left in) fail validate, naming each field', async function () {
    work.write(join('templates', 'as-published.json'), fixture('ecs-fargate-az-impairment'));
    const { code, text } = await validate(scenarioFile('as-published', { templateFile: './templates/as-published.json' }));
    expect(code, text).to.equal(EXIT.invalid);
    expect(text).to.contain('faults[0].templateFile.roleArn: contains the placeholder "<YOUR AWS ACCOUNT>"');
    expect(text).to.contain('faults[0].templateFile.actions.impair-subnet-in-az.parameters.documentArn: contains the placeholder "<YOUR REGION>"');
    expect(text).to.contain('faults[0].templateFile.targets.ecs-tasks-for-stop.filters[0].values[0]: contains the placeholder "<YOUR TARGET AZ>"');
  });

  it('a field FIS does not have, and {{…}} or ${…} left in, fail validate naming the field', async function () {
    work.write(join('templates', 'mysql.json'), withVariables(fixture('mysql-rds-loadtest-failover')));
    const unknownField = await validate(scenarioFile('unknown-field', { templateFile: './templates/mysql.json' }));
    expect(unknownField.code, unknownField.text).to.equal(EXIT.invalid);
    expect(unknownField.text).to.contain('faults[0].templateFile.actions.StopLoadTest.startAfterDelay: unknown key');

    work.write(join('templates', 'elasticache.json'), fixture('elasticache-redis-primary-node-failover').replaceAll('<YOUR-ACCOUNT-ID>', ACCOUNT));
    const mustache = await validate(scenarioFile('mustache', { templateFile: './templates/elasticache.json' }));
    expect(mustache.code, mustache.text).to.equal(EXIT.invalid);
    expect(mustache.text).to.contain('faults[0].templateFile.actions.triggerPrimaryFailover.parameters.documentArn: contains the placeholder "{{ aws:region }}"');

    const cloudFormation = await validate(scenarioFile('cfn', { inlineTemplate: { roleArn: 'arn:aws:iam::${AWS::AccountId}:role/fis', actions: {} } }));
    expect(cloudFormation.code, cloudFormation.text).to.equal(EXIT.invalid);
    expect(cloudFormation.text).to.contain('faults[0].inlineTemplate.roleArn: contains the placeholder "${AWS::AccountId}"');
  });

  it('malformed ARNs fail validate naming the field and what is wrong', async function () {
    const { code, text } = await validate(scenarioFile('malformed', {
      inlineTemplate: {
        roleArn: 'arn:aws:iam::12345:role/fis',
        actions: { wait: { actionId: 'aws:fis:wait', parameters: { duration: 'PT1M' } } },
        stopConditions: [{ source: 'aws:cloudwatch:alarm', value: `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:` }],
        targets: { db: { resourceType: 'aws:rds:cluster', resourceArns: ['arn:aws:rds:us-east-1'], selectionMode: 'ALL' } },
      },
    }));
    expect(code, text).to.equal(EXIT.invalid);
    expect(text).to.contain('faults[0].inlineTemplate.roleArn: malformed ARN "arn:aws:iam::12345:role/fis": the account "12345" is not 12 digits');
    expect(text).to.contain(`faults[0].inlineTemplate.stopConditions[0].value: malformed ARN "arn:aws:cloudwatch:${REGION}:${ACCOUNT}:": missing the resource part`);
    expect(text).to.contain('faults[0].inlineTemplate.targets.db.resourceArns[0]: malformed ARN "arn:aws:rds:us-east-1": expected arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE');
  });

  it('the allow-list covers every ARN and Region inside a template file, in JSON text too', async function () {
    const foreign = withVariables(fixture('ecs-fargate-az-impairment'))
      .replace('"documentArn": "arn:aws:ssm:${vars.your_region}', '"documentArn": "arn:aws:ssm:eu-west-1')
      .replace('\\"AutomationAssumeRole\\":\\"arn:aws:iam::${vars.your_aws_account}', '\\"AutomationAssumeRole\\":\\"arn:aws:iam::999999999999');
    work.write(join('templates', 'foreign.json'), foreign);
    const { code, text } = await validate(scenarioFile('foreign', { templateFile: './templates/foreign.json' }));
    expect(code, text).to.equal(EXIT.invalid);
    expect(text).to.contain('faults[0].templateFile.actions.impair-subnet-in-az.parameters.documentArn: Region eu-west-1 in arn:aws:ssm:eu-west-1:');
    expect(text).to.contain('faults[0].templateFile.actions.impair-subnet-in-az.parameters.documentParameters: account 999999999999 in');
  });

  it('a templateFile that cannot be read is an error naming the field and the file', async function () {
    const { code, text } = await validate(scenarioFile('missing-file', { templateFile: './templates/nowhere.json' }));
    expect(code, text).to.equal(EXIT.invalid);
    expect(text).to.contain('faults[0].templateFile: cannot read ./templates/nowhere.json (ENOENT)');
  });
});
