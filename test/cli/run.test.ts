import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_DIR, runCli } from '../support/cli-process.js';
import { createTempDir, type TempDir } from '../support/temp-dir.js';
import { startTestLab, type TestLab } from '../support/test-lab.js';
import { DrillHistory } from '../../src/report/drill-history.js';
import { localHistory } from '../../src/report/local-history.js';

/** `firedrill run|plan|validate` against one lab started in-process; two real drills (~10 s each). */
const DEMO = join(PROJECT_DIR, 'drills', 'lab-demo.yaml');
const DRILL_TIMEOUT_MS = 90_000;

interface ResultFile {
  format: string;
  outcome: string;
  measurements: Record<string, { value: number; lower: number; upper: number } | null>;
  verdicts: { target: string; status: string }[];
  artifacts: { path: string; sha256: string; bytes: number }[];
}

describe('firedrill run|plan|validate (black box, against the lab)', function () {
  this.timeout(DRILL_TIMEOUT_MS + 30_000);
  let state: TempDir;
  let lab: TestLab;

  before(async () => {
    state = createTempDir('run');
    lab = await startTestLab(state.path);
  });

  after(async () => {
    await lab?.stop();
    state?.remove();
  });

  it('validate accepts the lab demo (exit 0) and counts what it holds', async () => {
    const result = await runCli(['validate', DEMO, '--state-dir', state.path]);
    expect(result.code, result.output).to.equal(0);
    expect(result.stdout).to.include(`${DEMO}: valid scenario "lab-demo" for environment "lab" (1 fault(s), 2 probe(s), 4 signal(s), 5 target(s))`);
  });

  it('plan prints the PUT it would send to the proxy, and injects nothing', async () => {
    const result = await runCli(['plan', DEMO, '--state-dir', state.path]);
    expect(result.code, result.output).to.equal(0);
    expect(result.stdout).to.include('nothing is injected by plan');
    expect(result.stdout).to.include(`[fault primary-region-outage] PUT ${lab.lab.vars.proxyControl}/fault {"mode":"drop","leaseMs":30000}`);
    expect(result.stdout).to.match(/rto <= 15\.0s/);
    expect(await lab.proxyMode()).to.equal('pass');
    expect(lab.journalEntries()).to.deep.equal([]);
  });

  it('an unknown command exits 2 and prints the usage', async () => {
    const result = await runCli(['explode', '--state-dir', state.path]);
    expect(result.code).to.equal(2);
    expect(result.stderr).to.include('unknown command "explode"');
    expect(result.stderr).to.include('usage:');
  });

  describe('a drill that meets its targets', () => {
    const out = () => join(state.path, 'out-pass');
    let printed: string;
    let code: number | null;

    before(async () => {
      const result = await runCli(['run', DEMO, '--state-dir', state.path, '--out', out()], { timeoutMs: DRILL_TIMEOUT_MS });
      printed = result.output;
      code = result.code;
    });

    after(() => lab.failBack());

    it('exits 0 and prints the summary table with detection, decision, failover and RTO', () => {
      expect(code, printed).to.equal(0);
      expect(printed).to.match(/drill lab-demo-\S+ — PASSED/);
      for (const row of ['detection', 'decision', 'failover', 'RTO']) expect(printed).to.match(new RegExp(`^${row} +\\S+ \\(\\S+\\.\\.\\S+, ±\\S+\\) +<= \\S+ +PASS$`, 'm'));
      expect(printed).to.match(/^availability +[\d.]+% +>= 20\.0% +PASS$/m);
      expect(printed).to.include('blackhole primary-region-outage: reverted and verified');
      expect(printed).to.include(`result: ${join(out(), 'result.json')}`);
      // A sparkline per probe: the outage shows as failed slices of the user-facing probe.
      expect(printed).to.match(/^app +[▁▂▃▄▅▆▇█ ×]*×[▁▂▃▄▅▆▇█ ×]*  \d+ ok, [1-9]\d* failed, slowest ok \S+$/m);
    });

    it('writes result.json (firedrill/result@1, passed, each measurement with value and bounds)', () => {
      const result = JSON.parse(readFileSync(join(out(), 'result.json'), 'utf8')) as ResultFile;
      expect(result.format).to.equal('firedrill/result@1');
      expect(result.outcome).to.equal('passed');
      for (const name of ['detectionMs', 'decisionMs', 'failoverMs', 'rtoMs', 'availability']) {
        const m = result.measurements[name];
        expect(m, name).to.not.equal(null);
        expect(m!.lower, name).to.be.at.most(m!.value);
        expect(m!.value, name).to.be.at.most(m!.upper);
      }
      expect(result.verdicts.map((v) => `${v.target}:${v.status}`)).to.deep.equal(['detection:pass', 'decision:pass', 'failover:pass', 'rto:pass', 'availability:pass']);
    });

    it('appends the drill to the history, pointing at its result by path and SHA-256', async () => {
      const resultPath = join(out(), 'result.json');
      const result = JSON.parse(readFileSync(resultPath, 'utf8')) as ResultFile & { drillId: string };
      const entries = await new DrillHistory(localHistory(join(state.path, 'history.ndjson'))).list({ scenario: 'lab-demo' });
      const entry = entries.find((e) => e.drillId === result.drillId);
      expect(entry).to.deep.include({ environment: 'lab', outcome: 'passed' });
      expect(entry!.result).to.deep.equal({ path: resultPath, sha256: createHash('sha256').update(readFileSync(resultPath)).digest('hex') });
    });

    it('writes timeline.ndjson, one JSON event per line with samples and phases, listed in artifacts with its SHA-256', () => {
      const bytes = readFileSync(join(out(), 'timeline.ndjson'));
      const events = bytes.toString('utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as { kind: string; phase?: string; state?: string });
      expect(events.some((e) => e.kind === 'sample')).to.equal(true);
      const phases = events.filter((e) => e.kind === 'phase' && e.state === 'start').map((e) => e.phase);
      expect(phases).to.deep.equal(['preflight', 'steady-state', 'inject', 'observe', 'revert', 'verify']);
      const result = JSON.parse(readFileSync(join(out(), 'result.json'), 'utf8')) as ResultFile;
      expect(result.artifacts).to.deep.include({ path: 'timeline.ndjson', sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length });
    });

    it('leaves nothing injected and an empty journal', async () => {
      expect(await lab.proxyMode()).to.equal('pass');
      expect(lab.journalEntries()).to.deep.equal([]);
    });
  });

  it('a drill whose RTO target is too tight exits 1, names the breached target and shows the breakdown', async () => {
    const demo = readFileSync(DEMO, 'utf8');
    expect(demo).to.match(/^ {2}rto: 15s$/m);
    const tight = state.write('lab-demo-tight-rto.yaml', demo.replace(/^ {2}rto: 15s$/m, '  rto: 1s'));
    const out = join(state.path, 'out-tight');
    try {
      const result = await runCli(['run', tight, '--state-dir', state.path, '--out', out], { timeoutMs: DRILL_TIMEOUT_MS });
      expect(result.code, result.output).to.equal(1);
      expect(result.stdout).to.match(/drill lab-demo-\S+ — FAILED/);
      expect(result.stdout).to.match(/^RTO +\S+ \(.+\) +<= 1\.00s +FAIL$/m);
      for (const row of ['detection', 'decision', 'failover']) expect(result.stdout).to.match(new RegExp(`^${row} +\\S+ \\(.+\\) +<= \\S+ +PASS$`, 'm'));
      expect(result.stdout).to.match(/^breached: rto \S+ > 1\.00s$/m);
      const saved = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as ResultFile;
      expect(saved.outcome).to.equal('failed');
      expect(saved.verdicts.find((v) => v.target === 'rto')?.status).to.equal('fail');
      expect(await lab.proxyMode()).to.equal('pass');
    } finally {
      await lab.failBack();
    }
  });
});
