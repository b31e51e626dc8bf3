import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import type { ComplianceReport } from '../../src/report/compliance.js';
import { DrillHistory } from '../../src/report/drill-history.js';
import { localHistory } from '../../src/report/local-history.js';
import { captureIo } from '../support/capture-io.js';
import { PROJECT_DIR, runCli } from '../support/cli-process.js';
import { createTempDir, type TempDir } from '../support/temp-dir.js';
import { startTestLab, type TestLab } from '../support/test-lab.js';

/**
 * The compliance report from a real lab drill: `firedrill run` against the lab appends it to the
 * hash-chained history, then `report compliance` renders HTML and PDF, and the PDF's text (read
 * back with pdftotext, which `firedrill setup` installs) carries the scenario, its measured
 * values and the control ids.
 */
describe('firedrill report compliance (a real lab drill, HTML and PDF)', function () {
  this.timeout(240_000);
  let state: TempDir;
  let lab: TestLab;
  let pdfText: string;
  let report: ComplianceReport;
  let html: string;
  let output: string;

  before(async () => {
    state = createTempDir('compliance');
    lab = await startTestLab(state.path);
    // The lab demo with a patient probe timeout: on a loaded 2-core CI machine 500 ms can miss steady state.
    const scenario = state.write('lab-demo.yaml', readFileSync(join(PROJECT_DIR, 'drills', 'lab-demo.yaml'), 'utf8').replace('  - use: probes/lab/app.yaml\n', '  - use: probes/lab/app.yaml\n    timeout: 1500ms\n'));
    const run = await runCli(['run', scenario, '--state-dir', state.path, '--out', join(state.path, 'out')], { timeoutMs: 120_000 });
    expect(run.code, run.output).to.equal(0);
    const today = new Date().toISOString().slice(0, 10);
    const captured = captureIo(state.path);
    const code = await main(['report', 'compliance', '--state-dir', state.path, '--from', today, '--to', today, '--out', join(state.path, 'report')], captured.io);
    output = captured.text();
    expect(code, output).to.equal(0);
    report = JSON.parse(readFileSync(join(state.path, 'report', 'compliance.json'), 'utf8')) as ComplianceReport;
    html = readFileSync(join(state.path, 'report', 'compliance.html'), 'utf8');
    const text = spawnSync('pdftotext', ['-layout', join(state.path, 'report', 'compliance.pdf'), '-'], { encoding: 'utf8' });
    expect(text.status, text.stderr).to.equal(0);
    pdfText = text.stdout;
  });

  after(async () => {
    await lab?.stop();
    state?.remove();
  });

  it('the PDF names the scenario, its measured values against their objectives, and the control ids', () => {
    const [drill] = report.drills;
    expect(report.drills).to.have.length(1);
    expect(drill!.outcome).to.equal('passed');
    expect(pdfText).to.include('lab-demo');
    expect(pdfText).to.include(drill!.drillId);
    const rto = drill!.objectives.find((o) => o.target === 'rto')!;
    expect(rto.measured).to.match(/^\S+ \(\S+\.\.\S+, ±\S+\)$/);
    expect(pdfText).to.match(new RegExp(`rto +<= 15\\.0s +${rto.measured!.replace(/[().+]/g, '\\$&')} +pass`));
    for (const id of ['A1.3', '8.5', 'A.5.30', 'Art. 11(6)', 'CP-4', '12.10.2']) expect(pdfText, id).to.include(id);
  });

  it('maps clauses to the drill, and lists those left without evidence (no RPO measured: no backup test)', () => {
    const iso = report.frameworks.find((f) => f.framework === 'iso27001')!;
    expect(iso.controls.find((c) => c.id === 'A.5.30')!.drills).to.deep.equal([report.drills[0]!.drillId]);
    expect(iso.controls.find((c) => c.id === 'A.8.13')!.drills).to.deep.equal([]);
    expect(pdfText).to.match(/Left without evidence in the period: A\.8\.13\./);
  });

  it('indexes every artefact with its SHA-256, checked against the hash chain, and leaves the game-day places empty', async () => {
    const [record] = await new DrillHistory(localHistory(join(state.path, 'history.ndjson'))).list();
    expect(report.evidence.map((e) => e.sha256)).to.deep.equal([record!.result.sha256, ...record!.artifacts!.map((a) => a.sha256)]);
    expect(report.integrity.problems).to.deep.equal([]);
    for (const e of report.evidence) {
      expect(html, e.path).to.include(e.sha256);
      // In the PDF a hash wraps inside its column, so only its first line is whole in the text.
      expect(pdfText, e.path).to.include(e.sha256.slice(0, 16));
    }
    expect(report.gameDay, 'nobody at this drill recorded anything').to.deep.equal({ participants: [], notes: [], correctiveActions: [], lessons: [], signOff: [] });
    expect(pdfText).to.include('Review and sign-off');
    expect(html).to.not.match(/(src|href)="https?:/);
  });

  it('an unknown framework, or a bad date, exits 2 naming what was expected', async () => {
    const captured = captureIo(state.path);
    const code = await main(['report', 'compliance', '--state-dir', state.path, '--from', '2026-12-01', '--to', '2026-12-31', '--framework', 'iso9001', '--out', join(state.path, 'x')], captured.io);
    expect(code).to.equal(2);
    expect(captured.text()).to.include('--framework: expected one of dora, iso22301, iso27001, nist-800-53, pci-dss, soc2');
    const badDate = captureIo(state.path);
    expect(await main(['report', 'compliance', '--from', 'yesterday', '--to', '2026-12-31', '--out', 'x'], badDate.io)).to.equal(2);
    expect(badDate.text()).to.include('--from: expected a date like "2026-12-01", got "yesterday"');
  });

  it('a framework mapping with a bad field is refused naming the file and the field', async () => {
    const dir = join(state.path, 'frameworks');
    spawnSync('mkdir', ['-p', dir]);
    writeFileSync(join(dir, 'bad.yaml'), 'framework: bad\nname: Bad\ncontrols:\n  - id: X.1\n    title: t\n    wording: w\n    evidencedBy: [measurements.mttr]\n');
    const captured = captureIo(state.path);
    const code = await main(['report', 'compliance', '--state-dir', state.path, '--from', '2026-12-01', '--to', '2026-12-31', '--frameworks', dir, '--out', join(state.path, 'y')], captured.io);
    expect(code).to.equal(2);
    expect(captured.text()).to.include(`${join(dir, 'bad.yaml')}: controls[0].evidencedBy[0]: expected one of faults, steps, verdicts`);
    expect(captured.text()).to.include('got "measurements.mttr"');
  });
});
