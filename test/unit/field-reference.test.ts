import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse as parseYaml } from 'yaml';
import { parseDuration } from '../../src/core/duration.js';
import { builtinKindSchemas } from '../../src/runner/builtin-kinds.js';
import { referenceFiles } from '../../src/scenario/field-reference.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BROKEN_DIR = join(ROOT, 'test', 'fixtures', 'broken');
const generated = referenceFiles(builtinKindSchemas());
const readJson = (path: string) => JSON.parse(readFileSync(join(ROOT, path), 'utf8')) as object;
// Formats (`uri`) are left to firedrill's own validation: the schema is for editors and CI.
const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: false });
const validateScenario = ajv.compile(readJson('schema/scenario.schema.json'));
const validateConfig = ajv.compile(readJson('schema/config.schema.json'));

/** Broken fixtures whose mistake no schema of the file can see: it needs the environment or the other entries. */
const BEYOND_A_SCHEMA: Record<string, string> = {
  'duplicate-probe-names.yaml': 'names unique across a list',
  'milestone-missing-signal.yaml': 'a reference to another entry',
  'region-not-allowed.yaml': "the environment's allow-list",
  'undefined-variable.yaml': "the environment's variables",
  'unknown-environment.yaml': 'the configuration file',
};

describe('the field reference (schema/*.schema.json, docs/reference.md)', () => {
  for (const [path, content] of Object.entries(generated)) {
    it(`${path} is what "npm run docs:reference" makes of the schemas now`, () => {
      expect(readFileSync(join(ROOT, path), 'utf8'), `${path} is stale: run npm run docs:reference`).to.equal(content);
    });
  }

  it('lists every built-in kind with its settings and defaults', () => {
    const page = generated['docs/reference.md']!;
    for (const [section, kinds] of Object.entries(builtinKindSchemas())) {
      for (const kind of Object.keys(kinds)) expect(page, `${section} ${kind}`).to.include(`### ${section} \`${kind}\``);
    }
    expect(page).to.match(/^\| `guardrails\.maxDuration` \| duration \| what the phases need .*, at least 5m \|$/m);
    expect(page).to.match(/^\| `observe\.settle` \| duration \| `1s` \|$/m);
    expect(page).to.match(/^\| `interval` \| duration \| `500ms` \|$/m);
  });

  it('writes the duration grammar as a pattern that agrees with the parser', () => {
    const schema = readJson('schema/scenario.schema.json') as { properties: { observe: { properties: { timeout: { anyOf: { pattern: string }[] } } } } };
    const pattern = new RegExp(schema.properties.observe.properties.timeout.anyOf[0]!.pattern);
    for (const text of ['500ms', '90s', '5m', '1h30m', '1.5s', '2D', 'PT5M', 'pt0.5s', 'P1D', 'fast', '30', '5 m', 'ms', '1x']) {
      expect(pattern.test(text), text).to.equal(parseDuration(text) !== undefined);
    }
  });

  const drills = readdirSync(join(ROOT, 'drills')).filter((f) => /\.(ya?ml|json)$/.test(f));
  for (const file of drills) {
    it(`the scenario schema accepts drills/${file}`, () => {
      const valid = validateScenario(parseYaml(readFileSync(join(ROOT, 'drills', file), 'utf8')));
      expect(validateScenario.errors ?? [], file).to.deep.equal([]);
      expect(valid).to.equal(true);
    });
  }

  it('the scenario schema accepts the TypeScript drill\'s scenario (drills/lab-demo.scenario.ts)', async () => {
    const scenario = ((await import(pathToFileURL(join(ROOT, 'drills', 'lab-demo.scenario.ts')).href)) as { default: unknown }).default;
    expect(validateScenario(JSON.parse(JSON.stringify(scenario))), JSON.stringify(validateScenario.errors)).to.equal(true);
  });

  const broken = readdirSync(BROKEN_DIR).filter((f) => f.endsWith('.yaml'));
  for (const file of broken) {
    const beyond = BEYOND_A_SCHEMA[file];
    it(beyond ? `broken/${file} passes the schema: its mistake is in ${beyond} (firedrill validate finds it)` : `the scenario schema rejects broken/${file}`, () => {
      const text = readFileSync(join(BROKEN_DIR, file), 'utf8');
      let parsed: unknown;
      try {
        parsed = parseYaml(text, { uniqueKeys: true });
      } catch {
        expect(beyond, `${file} is not even YAML, which every editor reports`).to.equal(undefined);
        return;
      }
      expect(validateScenario(parsed), `${file}: ${JSON.stringify(validateScenario.errors)}`).to.equal(beyond !== undefined);
    });
  }

  it('the configuration schema accepts the README\'s environment and rejects a misspelt key', () => {
    const config = { environments: { staging: { aws: { accounts: ['111122223333'], regions: ['us-east-1', 'us-west-2'], profile: 'staging' }, vars: { app_url: 'https://app.staging.example.com/' } } } };
    expect(validateConfig(config), JSON.stringify(validateConfig.errors)).to.equal(true);
    expect(validateConfig({ environments: { staging: { ...config.environments.staging, varz: {} } } })).to.equal(false);
    expect(validateConfig.errors?.[0]).to.deep.include({ keyword: 'additionalProperties', params: { additionalProperty: 'varz' } });
  });
});
