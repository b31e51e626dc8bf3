import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { main } from '../../src/cli/main.js';
import { allurePlugin } from '../../src/report/allure.js';
import type { AllureStep } from '../../src/report/allure-steps.js';
import { launchChromium } from '../../src/report/browser.js';
import type { ArtifactsEvent, DrillEndEvent } from '../../src/runner/plugin.js';
import { captureIo } from '../support/capture-io.js';
import { PROJECT_DIR } from '../support/cli-process.js';
import { DRILL_FIXTURES, drillFixture } from '../support/drill-fixtures.js';
import { createTempDir, type TempDir } from '../support/temp-dir.js';

interface AllureResultFile {
  name: string;
  status: string;
  steps: AllureStep[];
  parameters: { name: string; value: string }[];
  labels: { name: string; value: string }[];
  links: { url: string }[];
  attachments: { name: string; source: string; type: string }[];
}

function readAllureResults(dir: string): AllureResultFile[] {
  return readdirSync(dir).filter((f) => f.endsWith('-result.json')).map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as AllureResultFile);
}

/** The phase steps carry the timeline's own times, and the milestones sit inside them with their bounds. */
function expectTimelineSteps(test: AllureResultFile, resultsDir: string): void {
  const { result } = drillFixture('breached');
  const anchor = Date.parse(result.clockAnchor);
  const phaseSteps = test.steps.filter((s) => s.name.startsWith('phase: '));
  expect(phaseSteps.map((s) => s.name)).to.deep.equal(result.phases.map((p) => `phase: ${p.phase}`));
  phaseSteps.forEach((s, i) => {
    expect(s.start, s.name).to.equal(Math.round(anchor + result.phases[i]!.start));
    expect(s.stop, s.name).to.equal(Math.round(anchor + result.phases[i]!.end!));
  });
  const observe = phaseSteps.find((s) => s.name === 'phase: observe')!;
  const recovered = observe.steps.find((s) => s.name.startsWith('T_recovered'))!;
  expect(recovered.name).to.equal(`T_recovered ${result.milestones.recovered!.wall} ±112ms`);
  expect([recovered.start, recovered.stop]).to.deep.equal([Math.round(anchor + result.milestones.recovered!.lower), Math.round(anchor + result.milestones.recovered!.upper)]);
  const rto = test.steps.find((s) => s.name.startsWith('target rto'))!;
  expect(rto.status).to.equal('failed');
  expect(rto.name).to.include('<= 2.00s — fail');
  // allure-js puts runtime attachments in steps of their own; a results file written directly has them on the test.
  const all = [...test.attachments, ...test.steps.flatMap((s) => (s as AllureStep & { attachments?: AllureResultFile['attachments'] }).attachments ?? [])];
  const attachments = Object.fromEntries(all.map((a) => [a.name, a]));
  expect(Object.keys(attachments)).to.include.members(['result.json', 'timeline.ndjson', 'timeline.svg']);
  expect(readFileSync(join(resultsDir, attachments['result.json']!.source), 'utf8')).to.equal(readFileSync(join(DRILL_FIXTURES, 'breached', 'result.json'), 'utf8'));
  expect(readFileSync(join(resultsDir, attachments['timeline.svg']!.source), 'utf8')).to.include('T_recovered ±112ms');
  expect(test.parameters).to.deep.include({ name: 'environment', value: 'lab' });
  expect(test.parameters).to.deep.include({ name: 'target rto', value: 'rto <= 2.00s' });
  expect(test.links.map((l) => l.url)).to.include('https://console.aws.amazon.com/cloudwatch/home#alarmsV2:alarm/lab-primary-health');
}

describe('allure: a drill as an allure test, from firedrill run and from a mocha drill', function () {
  this.timeout(120_000);
  let dir: TempDir;
  before(() => { dir = createTempDir('allure'); });
  after(() => dir.remove());

  it('report allure writes the drill as an allure result: phase steps with the timeline’s times, attachments', async () => {
    const results = join(dir.path, 'cli-results');
    const captured = captureIo(dir.path);
    const code = await main(['report', 'allure', join(DRILL_FIXTURES, 'breached'), '--results', results], captured.io);
    expect(code, captured.text()).to.equal(0);
    const [test] = readAllureResults(results);
    expect(test!.status).to.equal('failed');
    expectTimelineSteps(test!, results);
  });

  it('the allure plugin writes the drill from its own timeline, its files copied byte for byte', async () => {
    const results = join(dir.path, 'plugin-results');
    const breached = drillFixture('breached');
    const plugin = allurePlugin({ resultsDir: results });
    await plugin.artifacts!({ timeline: breached } as unknown as ArtifactsEvent);
    await plugin.onEnd!({ result: breached.result, resultFile: breached.resultFile, log: () => {} } as unknown as DrillEndEvent);
    const [test] = readAllureResults(results);
    expectTimelineSteps(test!, results);
    const timeline = test!.attachments.find((a) => a.name === 'timeline.ndjson')!;
    expect(readFileSync(join(results, timeline.source))).to.deep.equal(readFileSync(join(DRILL_FIXTURES, 'breached', 'timeline.ndjson')));
  });

  it('a mocha drill calling reportToAllure under allure-mocha gets the same steps and attachments', () => {
    const results = join(dir.path, 'mocha-results');
    const run = spawnSync(process.execPath, [
      join(PROJECT_DIR, 'node_modules', 'mocha', 'bin', 'mocha.js'), '--no-config', '--node-option', 'import=tsx',
      '--reporter', 'allure-mocha', '--reporter-option', `resultsDir=${results}`, join(PROJECT_DIR, 'test', 'fixtures', 'allure', 'mocha-drill.spec.ts'),
    ], { cwd: PROJECT_DIR, encoding: 'utf8', env: { ...process.env, FIREDRILL_TEST_DRILL_DIR: join(DRILL_FIXTURES, 'breached') }, timeout: 90_000 });
    expect(run.status, run.stdout + run.stderr).to.equal(0);
    const [test] = readAllureResults(results);
    expect(test!.name).to.equal('reports itself to allure');
    expect(test!.labels).to.deep.include({ name: 'suite', value: 'lab-demo' });
    expectTimelineSteps(test!, results);
  });

  describe('the HTML report, opened in Chromium', () => {
    let browser: Browser;
    before(async () => { browser = await launchChromium(); });
    after(async () => { await browser?.close(); });

    it('shows the drills and requests nothing from outside the machine', async () => {
      const results = join(dir.path, 'html-results');
      const html = join(dir.path, 'html');
      const captured = captureIo(dir.path);
      const code = await main(['report', 'allure', join(DRILL_FIXTURES, 'passed'), join(DRILL_FIXTURES, 'breached'), '--results', results, '--html', html], captured.io);
      expect(code, captured.text()).to.equal(0);
      expect(readFileSync(join(html, 'index.html'), 'utf8')).to.not.include('googletagmanager');
      const page = await browser.newPage();
      const requested: string[] = [];
      page.on('request', (request) => requested.push(request.url()));
      await page.goto(`file://${join(html, 'index.html')}`);
      await page.getByText('lab-demo').first().waitFor({ timeout: 30_000 });
      await page.screenshot({ path: join(dir.path, 'allure.png') });
      const outside = requested.filter((url) => !/^(file|data|blob):/.test(url));
      expect(outside, 'requests leaving the machine').to.deep.equal([]);
      expect(requested.length).to.be.greaterThan(0);
      await page.close();
    });
  });
});
