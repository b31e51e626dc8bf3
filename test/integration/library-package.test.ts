import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { PROJECT_DIR } from '../support/cli-process.js';
import { startFaultHookServer, type FaultHookServer } from '../support/fault-hook-server.js';
import { createTempDir, type TempDir } from '../support/temp-dir.js';

/**
 * firedrill used as a package from a repository of one's own: a folder with its own package.json
 * depending on firedrill by path, a TypeScript drill importing it by name and loading its
 * environment from its own firedrill.config.yaml, run with the command the README documents.
 * The system it drills is this test's small server (a fault hook, a front page).
 */
const run = promisify(execFile);
const versionOf = (name: string) => (JSON.parse(readFileSync(join(PROJECT_DIR, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

const DRILL = `import { expect, use } from 'chai';
import { defineScenario, firedrillChai, loadEnvironment, runScenario } from 'firedrill';

use(firedrillChai);

const scenario = defineScenario({
  scenario: 'front-outage',
  faults: [{ name: 'outage', kind: 'http-hook', on: { url: '\${vars.front}fault/on' }, off: { url: '\${vars.front}fault/off' } }],
  probes: [{ name: 'front', kind: 'http', url: '\${vars.front}', interval: '100ms', timeout: '300ms' }],
  milestones: { recovered: { probe: 'front', consecutive: 3 } },
  steadyState: { window: '300ms' },
  observe: { timeout: '5s', settle: '200ms' },
  verify: { window: '300ms' },
  targets: { rto: '10s' },
});

describe('front outage', () => {
  it('recovers within its RTO', async function () {
    this.timeout(60_000);
    const result = await runScenario(scenario, { environment: loadEnvironment('local') });
    expect(result).to.meetAllTargets();
    expect(result).to.haveMeasurement('rto').within('10s');
  });
});
`;

describe('a TypeScript drill in a repository of its own, importing firedrill by name', function () {
  this.timeout(240_000);
  let repo: TempDir;
  let system: FaultHookServer;

  before(async () => {
    repo = createTempDir('own-repo');
    system = await startFaultHookServer(400);
    const devDependencies = Object.fromEntries(['mocha', 'chai', 'tsx', '@types/mocha', '@types/chai', '@types/node'].map((name) => [name, versionOf(name)]));
    repo.write('package.json', JSON.stringify({ name: 'my-drills', private: true, type: 'module', dependencies: { firedrill: `file:${PROJECT_DIR}` }, devDependencies }, null, 2));
    repo.write('tsconfig.json', JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true, types: ['mocha', 'node'] }, include: ['drills'] }));
    repo.write('firedrill.config.yaml', stringify({ environments: { local: { vars: { front: system.base } } } }));
    mkdirSync(join(repo.path, 'drills'));
    repo.write('drills/front.drill.ts', DRILL);
    // The versions the project itself installed, so npm finds them in its cache.
    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: repo.path });
  });

  after(async () => {
    await system?.stop();
    repo?.remove();
  });

  it('runs alone with the documented command: only its own drill, against the environment of its config file', async () => {
    const { stdout } = await run('npx', ['mocha', '--node-option', 'import=tsx', 'drills/**/*.drill.ts'], { cwd: repo.path });
    expect(stdout).to.include('front outage');
    expect(stdout).to.match(/^ {2}1 passing/m);
    expect(system.faultOn(), 'the fault was reverted').to.equal(false);
    const [drill] = readdirSync(join(repo.path, 'out'));
    const result = JSON.parse(readFileSync(join(repo.path, 'out', drill!, 'result.json'), 'utf8')) as { outcome: string; environment: string };
    expect(result).to.deep.include({ outcome: 'passed', environment: 'local' });
  });

  it('type-checks against the package\'s own types', async () => {
    const tsc = join(PROJECT_DIR, 'node_modules', 'typescript', 'bin', 'tsc');
    const checked = await run(process.execPath, [tsc, '-p', '.'], { cwd: repo.path }).then(() => 'clean', (error: { stdout: string }) => error.stdout);
    expect(checked).to.equal('clean');
  });

  it('is told which environments exist when it names one the file lacks', async () => {
    const script = "import { loadEnvironment } from 'firedrill'; try { loadEnvironment('prod'); } catch (e) { console.log(e.message); }";
    const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: repo.path });
    expect(stdout).to.include(`${join(repo.path, 'firedrill.config.yaml')}: environments: no environment named "prod" (defined: local)`);
  });
});
