import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { stringify as toYaml } from 'yaml';
import { DURATION_HINT } from '../../src/core/duration.js';
import { builtinKinds } from '../../src/runner/builtin-kinds.js';
import { schemasOf } from '../../src/runner/kinds.js';
import { FiredrillError } from '../../src/runtime/errors.js';
import { allowListProblems } from '../../src/scenario/allow-list.js';
import type { Environment } from '../../src/scenario/environment.js';
import { loadScenario, loadScenarioObject, type LoadedScenario } from '../../src/scenario/load.js';

const ENV: Environment = {
  name: 'test',
  aws: { accounts: ['123456789012'], regions: ['us-east-1', 'us-west-2'] },
  vars: { front: 'http://127.0.0.1:8081/' },
  namespaces: { lab: { appUrl: 'http://127.0.0.1:8080/', proxyControl: 'http://127.0.0.1:9000', okStatus: 200, primaryRegion: 'us-east-1' } },
};
const KINDS = schemasOf(builtinKinds({ awsTarget: (region) => ({ region }) }));

const YAML_TEXT = `
scenario: sample
faults:
  - name: outage
    kind: blackhole
    proxy: \${lab.proxyControl}
    mode: drop
probes:
  - name: app
    kind: http
    url: \${lab.appUrl}health
    interval: 200ms
    expect: { status: "\${lab.okStatus}" }
signals:
  - name: alarm
    kind: cloudwatch-alarm
    alarm: primary-health
    region: \${lab.primaryRegion}
milestones:
  detect: { signal: alarm, becomes: ALARM }
  recovered: { probe: app, consecutive: 3 }
observe: { timeout: 30s }
targets: { rto: 1m, availability: 90% }
`;

/** The same scenario as a value, for JSON, TypeScript and object loading. */
function baseScenario(): Record<string, any> {
  return {
    scenario: 'sample',
    faults: [{ name: 'outage', kind: 'blackhole', proxy: '${lab.proxyControl}', mode: 'drop' }],
    probes: [{ name: 'app', kind: 'http', url: '${lab.appUrl}health', interval: '200ms', expect: { status: '${lab.okStatus}' } }],
    signals: [{ name: 'alarm', kind: 'cloudwatch-alarm', alarm: 'primary-health', region: '${lab.primaryRegion}' }],
    milestones: { detect: { signal: 'alarm', becomes: 'ALARM' }, recovered: { probe: 'app', consecutive: 3 } },
    observe: { timeout: '30s' },
    targets: { rto: '1m', availability: '90%' },
  };
}

describe('loadScenario', () => {
  let dir: string;
  let n = 0;
  before(() => { dir = mkdtempSync(join(tmpdir(), 'firedrill-load-')); });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, text: string) => {
    const file = join(dir, `${n++}-${name}`);
    writeFileSync(file, text);
    return file;
  };
  const load = (file: string, env = ENV) => loadScenario(file, env, KINDS);
  /** Writes a variant of the base scenario as YAML. */
  const variant = (change: (s: Record<string, any>) => void) => {
    const s = baseScenario();
    change(s);
    return write('variant.yaml', toYaml(s));
  };
  /** Loading must fail, and one problem line must name the file and the field path. */
  const expectProblem = async (file: string, path: string, ...texts: string[]) => {
    let error: unknown;
    try {
      await load(file);
    } catch (e) {
      error = e;
    }
    expect(error, 'loading should have failed').to.be.instanceOf(FiredrillError);
    expect((error as FiredrillError).code).to.equal('FIREDRILL_SCENARIO_INVALID');
    const lines = (error as Error).message.split('\n');
    const line = lines.find((l) => l.includes(`${file}: ${path}: `));
    expect(line, `no problem for ${path} in:\n${(error as Error).message}`).to.be.a('string');
    for (const text of texts) expect(line).to.include(text);
    return error as FiredrillError;
  };
  const comparable = (s: LoadedScenario) => ({ spec: s.spec, entries: s.entries });

  describe('valid scenarios', () => {
    it('loads YAML and the same scenario as JSON to the same spec', async () => {
      const fromYaml = await load(write('s.yaml', YAML_TEXT));
      const fromJson = await load(write('s.json', JSON.stringify(baseScenario(), null, 2)));
      expect(comparable(fromJson)).to.deep.equal(comparable(fromYaml));
      expect(fromYaml.spec.targets).to.deep.equal({ rto: 60_000, availability: 0.9 });
      expect(fromYaml.spec.observe).to.deep.equal({ timeout: 30_000, settle: 1_000 });
      expect(fromYaml.entries.probes[0]).to.deep.include({ name: 'app', kind: 'http' });
      expect(fromYaml.sha256).to.match(/^[0-9a-f]{64}$/);
    });

    it('loads a TypeScript module whose default export is made with defineScenario', async () => {
      const schema = pathToFileURL(resolve('src/scenario/schema.ts')).href;
      const file = write('s.scenario.ts', `import { defineScenario } from ${JSON.stringify(schema)};\nexport default defineScenario(${JSON.stringify(baseScenario())});\n`);
      const fromTs = await load(file);
      const fromYaml = await load(write('s.yaml', YAML_TEXT));
      expect(comparable(fromTs)).to.deep.equal(comparable(fromYaml));
    });

    it('refuses a TypeScript module without a default export', async () => {
      const file = write('none.scenario.ts', 'export const scenario = {};\n');
      const error = await load(file).catch((e: Error) => e);
      expect((error as Error).message).to.equal(`${file}: expected a default export made with defineScenario({...})`);
    });

    it('validates a scenario object through the same path, named by its label', async () => {
      const fromObject = loadScenarioObject(baseScenario(), 'drills/sample.scenario.ts', ENV, KINDS);
      expect(comparable(fromObject)).to.deep.equal(comparable(await load(write('s.yaml', YAML_TEXT))));
      expect(fromObject.file).to.equal('drills/sample.scenario.ts');
      const broken = { ...baseScenario(), observe: { timeout: 'soon' } };
      expect(() => loadScenarioObject(broken, 'drills/sample.scenario.ts', ENV, KINDS)).to.throw(FiredrillError, 'drills/sample.scenario.ts: observe.timeout: expected a duration');
    });
  });

  describe('the maximum duration and the phases', () => {
    it('defaults to what the phases need plus a minute: observe 10m is not cut at 5m', async () => {
      const loaded = await load(variant((s) => { s.observe = { timeout: '10m' }; }));
      // steady state 2s + observe 10m + settle 1s + verify 2s, and the margin
      expect(loaded.spec.guardrails.maxDuration).to.equal(600_000 + 2_000 + 1_000 + 2_000 + 60_000);
    });

    it('defaults to at least 5 minutes, as before, for short phases', async () => {
      expect((await load(variant(() => {}))).spec.guardrails.maxDuration).to.equal(300_000);
    });

    it('counts the gates a person may take, and keeps a long enough explicit one', async () => {
      const loaded = await load(variant((s) => { s.gates = [{ name: 'go', before: 'inject', timeout: '10m' }]; s.guardrails = { maxDuration: '11m' }; }));
      expect(loaded.spec.guardrails.maxDuration).to.equal(660_000);
    });

    it('refuses an explicit maximum shorter than the phases, with the sum', async () => {
      await expectProblem(variant((s) => { s.observe = { timeout: '10m' }; s.guardrails = { maxDuration: '5m' }; }), 'guardrails.maxDuration',
        '5m00s is shorter than the phases need (steadyState.window 2.00s + observe.timeout 10m00s + observe.settle 1.00s + verify.window 2.00s = 10m05s)');
    });
  });

  describe('interpolation', () => {
    it('keeps the type of a whole-string reference and makes text of an embedded one', async () => {
      const loaded = await load(write('s.yaml', YAML_TEXT));
      const settings = loaded.entries.probes[0]!.settings as { url: string; expect: { status: number } };
      expect(settings.expect.status).to.equal(200);
      expect(settings.url).to.equal('http://127.0.0.1:8080/health');
      expect(loaded.entries.signals[0]!.written).to.deep.include({ region: 'us-east-1' });
    });

    it('names an unknown variable with its field path and the variables that exist', async () => {
      const file = variant((s) => { s.probes[0].url = '${lab.nope}/health'; s.faults[0].proxy = '${vars.proxy}'; });
      await expectProblem(file, 'probes[0].url', 'unknown variable ${lab.nope}', 'this environment defines: lab.appUrl, lab.proxyControl, lab.okStatus, lab.primaryRegion');
      await expectProblem(file, 'faults[0].proxy', 'unknown variable ${vars.proxy}', 'this environment defines: vars.front');
    });
  });

  describe('shape errors name the file and the field', () => {
    it('an unknown key at the top level', async () => {
      await expectProblem(variant((s) => { s.colour = 'red'; }), 'colour', 'unknown key');
    });

    it('an unknown key inside a probe', async () => {
      await expectProblem(variant((s) => { s.probes[0].intervall = '1s'; }), 'probes[0].intervall', 'unknown key');
    });

    it('an unknown key far from every allowed one suggests none', async () => {
      await expectProblem(variant((s) => { s.observe.colour = 'red'; }), 'observe.colour', 'unknown key (allowed here: timeout, settle)');
    });

    it('an unknown key says which keys are allowed there, and the nearest', async () => {
      await expectProblem(variant((s) => { s.observe.setle = '1s'; }), 'observe.setle', 'unknown key, did you mean "settle"? (allowed here: timeout, settle)');
      await expectProblem(variant((s) => { s.milestones.recovered.consecutiv = 3; }), 'milestones.recovered.consecutiv', 'unknown key, did you mean "consecutive"? (allowed here: probe, region, consecutive)');
    });

    it('wrong types', async () => {
      const file = variant((s) => { s.probes[0].userFacing = 'yes'; s.milestones.recovered.consecutive = 'three'; });
      await expectProblem(file, 'probes[0].userFacing', 'expected boolean', '"yes"');
      await expectProblem(file, 'milestones.recovered.consecutive', 'expected number', '"three"');
    });

    it('bad durations, with the hint of what a duration looks like', async () => {
      await expectProblem(variant((s) => { s.observe.timeout = 'fast'; }), 'observe.timeout', DURATION_HINT, '"fast"');
      await expectProblem(variant((s) => { s.probes[0].interval = '30'; }), 'probes[0].interval', DURATION_HINT, '"30"');
    });

    it('an unknown kind, listing the known kinds', async () => {
      await expectProblem(variant((s) => { s.probes[0].kind = 'ftp'; }), 'probes[0].kind', 'unknown probe kind "ftp"', 'http, dns');
      await expectProblem(variant((s) => { s.faults[0].kind = 'meteor'; }), 'faults[0].kind', 'unknown fault kind "meteor"', 'blackhole, http-hook');
    });

    it('missing targets, and targets that set none', async () => {
      await expectProblem(variant((s) => { delete s.targets; }), 'targets', 'is required');
      await expectProblem(variant((s) => { s.targets = {}; }), 'targets', 'expected at least one target');
    });

    it('milestones naming a signal or probe that does not exist', async () => {
      const file = variant((s) => { s.milestones.detect.signal = 'nosuch'; s.milestones.recovered.probe = 'ghost'; });
      await expectProblem(file, 'milestones.detect.signal', 'no signal named "nosuch"', 'signals: alarm');
      await expectProblem(file, 'milestones.recovered.probe', 'no probe named "ghost"', 'probes: app');
    });

    it('manual gates naming a fault, step or gate that does not exist, or a phase that is not one', async () => {
      const gated = variant((s) => {
        s.gates = [{ name: 'failover', before: { fault: 'nosuch' }, timeout: '1m' }];
        s.milestones.decide = { gate: 'ghost' };
      });
      await expectProblem(gated, 'gates[0].before.fault', 'no fault named "nosuch"', 'faults: outage');
      await expectProblem(gated, 'milestones.decide.gate', 'no gate named "ghost"', 'gates: failover');
      await expectProblem(variant((s) => { s.gates = [{ name: 'g', before: 'lunch', timeout: '1m' }]; }), 'gates[0].before');
      await expectProblem(variant((s) => { s.gates = [{ name: 'g', before: 'observe' }]; }), 'gates[0].timeout', 'is required');
      await expectProblem(variant((s) => { s.gates = [{ name: 'g', before: 'observe', timeout: '1m', ci: 'maybe' }]; }), 'gates[0].ci', 'expected one of "fail", "approve"');
    });

    it('duplicate names in a section', async () => {
      await expectProblem(variant((s) => { s.probes.push({ ...s.probes[0] }); }), 'probes[1].name', '"app" is used twice in probes');
    });

    it('reports every problem, not just the first', async () => {
      const file = variant((s) => { s.colour = 'red'; s.observe.timeout = 'fast'; s.probes[0].kind = 'ftp'; });
      const error = await load(file).catch((e: FiredrillError) => e);
      expect((error as FiredrillError).problems).to.have.length(2);
      // The kind is only checked once the envelope is valid: fix the envelope first.
      await expectProblem(variant((s) => { s.probes[0].kind = 'ftp'; s.milestones.recovered.probe = 'ghost'; }), 'milestones.recovered.probe');
    });
  });

  describe('files that are not scenarios', () => {
    it('not YAML at all', async () => {
      const file = write('broken.yaml', 'scenario: [unclosed\n  probes: {');
      const error = await load(file).catch((e: Error) => e);
      expect((error as FiredrillError).code).to.equal('FIREDRILL_SCENARIO_INVALID');
      expect((error as Error).message).to.match(new RegExp(`^${escapeRegExp(file)}: not valid YAML or JSON: `));
    });

    it('a key written twice', async () => {
      const file = write('twice.yaml', 'scenario: a\nscenario: b\n');
      expect((await load(file).catch((e: Error) => e) as Error).message).to.include(`${file}: not valid YAML or JSON`);
    });

    it('a list or a bare value instead of a mapping', async () => {
      const list = write('list.yaml', '- a\n- b\n');
      expect((await load(list).catch((e: Error) => e) as Error).message).to.include(`${list}: expected a mapping`).and.include('got a list');
      const scalar = write('scalar.yaml', 'hello\n');
      expect((await load(scalar).catch((e: Error) => e) as Error).message).to.include(`${scalar}: expected a mapping`).and.include('got "hello"');
    });

    it('a file that does not exist', async () => {
      const file = join(dir, 'missing.yaml');
      const error = await load(file).catch((e: FiredrillError) => e);
      expect((error as FiredrillError).code).to.equal('FIREDRILL_USAGE');
      expect((error as Error).message).to.equal(`${file}: cannot read the scenario: ENOENT`);
    });
  });

  describe('allowListProblems', () => {
    it('reports a Region outside the allow-list with its path', async () => {
      const loaded = await load(variant((s) => { s.signals[0].region = 'eu-west-1'; }));
      expect(allowListProblems(loaded, ENV)).to.deep.equal([
        `${loaded.file}: signals[0].region: Region eu-west-1 is not allowed in environment "test" (allowed: us-east-1, us-west-2)`,
      ]);
    });

    it("reports an ARN's account and Region outside the allow-list with its path", async () => {
      const arn = 'arn:aws:lambda:ap-south-1:999999999999:function:orders';
      const loaded = await load(variant((s) => { s.probes[0].headers = { 'x-target': arn }; }));
      expect(allowListProblems(loaded, ENV)).to.deep.equal([
        `${loaded.file}: probes[0].headers.x-target: Region ap-south-1 in ${arn} is not allowed in environment "test" (allowed: us-east-1, us-west-2)`,
        `${loaded.file}: probes[0].headers.x-target: account 999999999999 in ${arn} is not allowed in environment "test" (allowed: 123456789012)`,
      ]);
    });

    it('reports an account field outside the allow-list with its path (a StackSet instance\'s account)', async () => {
      const instance = (account: string) => variant((s) => {
        s.signals.push({ name: 'recovery-stack', kind: 'stack-set-instance', stackSetName: 'pilot-light', region: 'us-east-1', instance: { account, region: 'us-west-2' } });
      });
      const outside = await load(instance('999999999999'));
      expect(allowListProblems(outside, ENV)).to.deep.equal([
        `${outside.file}: signals[1].instance.account: account 999999999999 is not allowed in environment "test" (allowed: 123456789012)`,
      ]);
      expect(allowListProblems(await load(instance('123456789012')), ENV)).to.deep.equal([]);
    });

    it('accepts what is on the allow-list, and flags any Region when the environment has none', async () => {
      const loaded = await load(write('s.yaml', YAML_TEXT));
      expect(allowListProblems(loaded, ENV)).to.deep.equal([]);
      const { aws: _aws, ...noAws } = ENV;
      expect(allowListProblems(loaded, noAws)).to.deep.equal([
        `${loaded.file}: signals[0].region: Region us-east-1 is used but environment "test" has no aws allow-list`,
      ]);
    });
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
