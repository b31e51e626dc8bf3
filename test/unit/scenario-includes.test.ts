import { expect } from 'chai';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { builtinKinds } from '../../src/runner/builtin-kinds.js';
import { schemasOf } from '../../src/runner/kinds.js';
import type { Environment } from '../../src/scenario/environment.js';
import { loadScenario } from '../../src/scenario/load.js';
import { refusalOf } from '../support/failure-of.js';
import { createTempDir, type TempDir } from '../support/temp-dir.js';

const ENV: Environment = {
  name: 'test',
  aws: { accounts: ['123456789012'], regions: ['us-east-1'] },
  vars: { front: 'http://127.0.0.1:8081/' },
  namespaces: { lab: { appUrl: 'http://127.0.0.1:8080/', proxyControl: 'http://127.0.0.1:9000', primaryRegion: 'us-east-1' } },
};
const KINDS = schemasOf(builtinKinds({ awsTarget: (region) => ({ region }) }));

const APP_PROBE = `name: app
kind: http
url: \${lab.appUrl}health
interval: 200ms
timeout: 500ms
`;
const ALARMS = `- name: health
  kind: cloudwatch-alarm
  alarm: primary-health
  region: \${lab.primaryRegion}
- name: decision
  kind: cloudwatch-alarm
  alarm: failover-decision
  region: \${lab.primaryRegion}
`;

/** A drill in `drills/` of a project whose shared blocks live in `probes/`. */
function drill(probes: string, signals = '  - use: probes/alarms.yaml'): string {
  return `scenario: shared
faults:
  - name: outage
    kind: blackhole
    proxy: \${lab.proxyControl}
    mode: drop
probes:
${probes}
signals:
${signals}
milestones:
  recovered: { probe: app, consecutive: 3 }
observe: { timeout: 10s }
targets: { rto: 30s }
`;
}

describe('scenario: entries shared through probes/ (use:)', () => {
  let project: TempDir;
  const load = (probes: string, signals?: string) => {
    project.write('drills/x.yaml', drill(probes, signals));
    return loadScenario('drills/x.yaml', ENV, KINDS, { cwd: project.path });
  };

  beforeEach(() => {
    project = createTempDir('includes');
    mkdirSync(join(project.path, 'drills'));
    mkdirSync(join(project.path, 'probes'));
    project.write('probes/app.yaml', APP_PROBE);
    project.write('probes/alarms.yaml', ALARMS);
  });
  afterEach(() => project.remove());

  it('takes an entry from the file found from the drill\'s folder upwards, interpolated like the drill, with its overrides', async () => {
    const loaded = await load('  - use: probes/app.yaml\n    interval: 1s\n  - use: probes/app.yaml\n    name: app-2');
    expect(loaded.entries.probes.map((p) => p.name)).to.deep.equal(['app', 'app-2']);
    expect(loaded.entries.probes[0]!.written).to.deep.include({ url: 'http://127.0.0.1:8080/health', interval: '1s', timeout: '500ms' });
    expect((loaded.entries.probes[0]!.settings as { intervalMs?: number; interval: number }).interval).to.equal(1_000);
    expect((loaded.entries.probes[1]!.settings as { interval: number }).interval).to.equal(200);
  });

  it('a drill outside the project finds the project\'s probes/ from the working directory', async () => {
    const elsewhere = createTempDir('includes-copy');
    try {
      const copy = elsewhere.write('copy.yaml', drill('  - use: probes/app.yaml'));
      const loaded = await loadScenario(copy, ENV, KINDS, { cwd: project.path });
      expect(loaded.entries.probes.map((p) => p.name)).to.deep.equal(['app']);
    } finally {
      elsewhere.remove();
    }
  });

  it('a file holding a list gives every entry, in order, where it is used', async () => {
    const loaded = await load('  - use: probes/app.yaml', '  - use: probes/alarms.yaml');
    expect(loaded.entries.signals.map((s) => s.name)).to.deep.equal(['health', 'decision']);
    expect(loaded.entries.signals[1]!.written).to.deep.include({ region: 'us-east-1' });
  });

  it('an invalid field in a shared file is reported with both files', async () => {
    project.write('probes/app.yaml', APP_PROBE.replace('200ms', 'fast'));
    const error = await refusalOf(load('  - use: probes/app.yaml'));
    expect(error.code).to.equal('FIREDRILL_SCENARIO_INVALID');
    expect(error.problems).to.deep.equal([
      'drills/x.yaml: probes[0].interval: expected a duration like "500ms", "90s", "5m", "1h30m" or "PT5M", got "fast" (from probes/app.yaml)',
    ]);
  });

  it('refuses a missing file, a folder, overrides of a list, a file that uses another, and broken YAML, naming the drill, the field and the file', async () => {
    project.write('probes/nested.yaml', 'use: probes/app.yaml\n');
    project.write('probes/broken.yaml', 'name: [unclosed\n');
    const error = await refusalOf(load(
      '  - use: probes/app.yaml\n  - use: probes/missing.yaml\n  - use: probes/nested.yaml\n  - use: probes/broken.yaml\n  - use: probes',
      '  - use: probes/alarms.yaml\n    interval: 1s',
    ));
    expect(error.problems[0]).to.equal(`drills/x.yaml: probes[1].use: probes/missing.yaml: no such file in ${join(project.path, 'drills')} or ${project.path}, or any folder above`);
    expect(error.problems[1]).to.match(/^drills\/x\.yaml: probes\[2\]\.use: probes\/nested\.yaml: expected an entry .* none of which uses another file/);
    expect(error.problems[2]).to.match(/^drills\/x\.yaml: probes\[3\]\.use: probes\/broken\.yaml: not valid YAML: /);
    expect(error.problems[3]).to.equal('drills/x.yaml: probes[4].use: probes: cannot read it: EISDIR');
    expect(error.problems[4]).to.equal('drills/x.yaml: signals[0].use: probes/alarms.yaml defines 2 entries; overrides (interval) need a file of one entry');
  });
});
