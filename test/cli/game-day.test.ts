import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findLiveDrill } from '../../src/gameday/live-file.js';
import { launchChromium } from '../../src/report/browser.js';
import type { ComplianceReport } from '../../src/report/compliance.js';
import { waitFor } from '../../src/runtime/wait.js';
import type { DrillResult } from '../../src/runner/result.js';
import { hasPseudoTerminal, PROJECT_DIR, runCli, startCli } from '../support/cli-process.js';
import { EXIT } from '../../src/runtime/errors.js';
import { createTempDir, type TempDir } from '../support/temp-dir.js';
import { startTestLab, type TestLab } from '../support/test-lab.js';

/**
 * Game days, black box against the lab: the lab demo with a manual failover gate before observe
 * whose approval is T_decide. A person approves from a second process; nobody approves (the gate
 * times out, the drill aborts and reverts); CI refuses the manual gate or decides automatically.
 */
const DEMO = readFileSync(join(PROJECT_DIR, 'drills', 'lab-demo.yaml'), 'utf8');
const DECIDE = /^ {2}decide: \{ signal: decision-alarm, becomes: ALARM \}$/m;
// A loaded 2-core machine takes seconds per `firedrill` process: the people's calls need minutes, not seconds.
const DRILL_TIMEOUT_MS = 300_000;
/** How far T_decide may lie from the moment the approval was sent and answered (loopback, one process hop). */
const TOLERANCE_MS = 50;
const NOT_CI = { CI: undefined, FIREDRILL_USER: undefined };
// The lab's controller fails over by itself while the gate waits: a decision budget that covers the wait, no failover target.
const TARGETS = /^ {2}decision: 5s\n {2}failover: 10s\n/m;

// A patient probe timeout: on a loaded 2-core machine 500 ms can miss the steady state.
const APP_PROBE = /^ {2}- use: probes\/lab\/app\.yaml\n/m;
const MAX_DURATION = /^guardrails: \{ maxDuration: 90s \}$/m;

function gatedScenario(gate: { timeout: string; ci?: 'approve' }): string {
  expect(DEMO).to.match(DECIDE).and.to.match(TARGETS).and.to.match(APP_PROBE).and.to.match(MAX_DURATION);
  return DEMO.replace(DECIDE, '  decide: { gate: failover }').replace(TARGETS, '  decision: 90s\n').replace(APP_PROBE, '  - use: probes/lab/app.yaml\n    timeout: 1500ms\n').replace(MAX_DURATION, 'guardrails: { maxDuration: 6m }')
    + `gates:\n  - name: failover\n    before: observe\n    timeout: ${gate.timeout}\n${gate.ci ? `    ci: ${gate.ci}\n` : ''}    runbook: [Check the health alarm is in ALARM, Confirm the replica is caught up]\n`;
}

describe('game days: manual gates, approvals, notes, CI mode (black box, against the lab)', function () {
  this.timeout(420_000);
  let state: TempDir;
  let lab: TestLab;

  before(async () => {
    state = createTempDir('game-day');
    lab = await startTestLab(state.path);
  });
  afterEach(async () => {
    if (lab.journalEntries().some((e) => e.status !== 'reverted')) await runCli(['cleanup', '--state-dir', state.path]);
    await lab.failBack();
  });
  after(async () => {
    await lab?.stop();
    state?.remove();
  });

  const readResult = (out: string) => JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as DrillResult;
  const cli = (args: string[], env: Record<string, string | undefined> = NOT_CI) => runCli([...args, '--state-dir', state.path], { env });

  it('waits at the gate until `firedrill approve` from another process; T_decide is that moment, with who approved; notes land in order with their authors', async () => {
    const scenario = state.write('gated.yaml', gatedScenario({ timeout: '4m' }));
    const out = join(state.path, 'out-approved');
    const drill = startCli(['run', scenario, '--state-dir', state.path, '--out', out, '--commander', 'Ines', '--observer', 'Olu', '--observer', 'Oda', '--scribe', 'Sam'], { timeoutMs: DRILL_TIMEOUT_MS, env: NOT_CI });
    await drill.waitForLine(/gate failover: waiting for approval/);
    expect(drill.output()).to.include('[ ] Confirm the replica is caught up');

    const observed = await cli(['note', 'users see errors on checkout', '--as', 'Olu']);
    expect(observed.code, observed.output).to.equal(0);
    const deviation = await cli(['note', 'the runbook says page the DBA first', '--kind', 'deviation', '--as', 'Oda']);
    expect(deviation.code, deviation.output).to.equal(0);
    const action = await cli(['note', 'alarm threshold too slow', '--kind', 'action', '--owner', 'Olu', '--due', '2027-01-15', '--as', 'Sam']);
    expect(action.code, action.output).to.equal(0);
    const refused = await cli(['approve', 'no-such-gate', '--as', 'Ines']);
    expect(refused.code).to.equal(2);
    expect(refused.stderr).to.include('gate "no-such-gate" is not waiting for approval (waiting: failover)');

    const sent = Date.now();
    const approved = await cli(['approve', 'failover', '--as', 'Ines']);
    const answered = Date.now();
    expect(approved.code, approved.output).to.equal(0);
    expect(approved.stdout).to.match(/approved gate failover of drill lab-demo-\S+ as Ines/);

    const ended = await drill.exited;
    expect(ended.code, ended.output).to.equal(0);
    const result = readResult(out);
    expect(result.outcome).to.equal('passed');
    const decide = Date.parse(result.milestones.decide!.wall);
    expect(decide, 'T_decide is when the approval arrived').to.be.within(sent - TOLERANCE_MS, answered + TOLERANCE_MS);
    expect(result.milestones.decide!.lower).to.equal(result.milestones.decide!.upper);
    expect(result.gameDay!.approvals).to.deep.equal([{ gate: 'failover', by: 'Ines', via: 'cli', t: result.milestones.decide!.t, wall: result.milestones.decide!.wall }]);
    expect(result.gameDay!.people).to.deep.equal([
      { name: 'Ines', role: 'commander' }, { name: 'Olu', role: 'observer' }, { name: 'Oda', role: 'observer' }, { name: 'Sam', role: 'scribe' },
    ]);
    expect(result.gameDay!.notes.map(({ author, message, noteKind, owner, due }) => ({ author, message, noteKind, owner, due }))).to.deep.equal([
      { author: 'Olu', message: 'users see errors on checkout', noteKind: 'observation', owner: undefined, due: undefined },
      { author: 'Oda', message: 'the runbook says page the DBA first', noteKind: 'deviation', owner: undefined, due: undefined },
      { author: 'Sam', message: 'alarm threshold too slow', noteKind: 'action', owner: 'Olu', due: '2027-01-15' },
    ]);
    const times = result.gameDay!.notes.map((n) => n.t);
    expect(times).to.deep.equal([...times].sort((a, b) => a - b));
    expect(times[2], 'noted while the gate waited').to.be.below(result.milestones.decide!.t);
    expect(() => findLiveDrill(state.path), 'the drill removed its live file').to.throw(/no drill with a game-day server is running/);
  });

  it('approved with a click in the live page (real Chromium): T_decide is the click; notes from the CLI and the page, the review\'s lessons and sign-offs land in result.json and the compliance report, in order with their authors', async () => {
    const scenario = state.write('gated-page.yaml', gatedScenario({ timeout: '4m' }));
    const out = join(state.path, 'out-page');
    const drill = startCli(['run', scenario, '--state-dir', state.path, '--out', out, '--commander', 'Ines', '--scribe', 'Sam', '--review', '4m'], { timeoutMs: DRILL_TIMEOUT_MS, env: NOT_CI });
    const pageUrl = (await drill.waitForLine(/^live view: http:\/\/127\.0\.0\.1:\d+\/\?token=/)).replace('live view: ', '').trim();
    await drill.waitForLine(/gate failover: waiting for approval/);
    const browser = await launchChromium();
    let drillId: string;
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      const outside = await fetch(pageUrl.replace(/\?token=.*/, ''));
      expect(outside.status, 'no token, no page').to.equal(401);
      await page.goto(pageUrl);
      const fromCli = await cli(['note', 'checkout answers 502', '--as', 'Olu']);
      expect(fromCli.code, fromCli.output).to.equal(0);
      await page.getByText('observation by Olu: checkout answers 502').waitFor();
      await page.fill('#me', 'Ines');
      await page.dispatchEvent('#me', 'change');
      await page.fill('#note input[name=message]', 'DNS still points at the primary');
      await page.selectOption('select[name=noteKind]', 'observation');
      await page.click('#note button');
      await page.getByText('observation by Ines: DNS still points at the primary').waitFor();
      const action = await cli(['note', 'alarm period too long', '--kind', 'action', '--owner', 'Olu', '--due', '2027-01-15', '--as', 'Sam']);
      expect(action.code, action.output).to.equal(0);
      const button = page.getByRole('button', { name: 'Approve failover' });
      await button.waitFor();
      await page.getByText('Confirm the replica is caught up').click();
      await page.screenshot({ path: join(state.path, 'live-page-gate.png') });
      const clicked = Date.now();
      await button.click();
      const clickDone = Date.now();
      await page.getByText('gate failover: approved by Ines (page)').waitFor();
      await waitFor(async () => (await page.textContent('#gates'))?.trim() === 'none', { timeoutMs: 5_000, what: 'the gate to leave the page' });
      await page.getByText(/T_recovered/).waitFor();

      // The drill is over, its faults reverted; the review holds result.json open.
      await drill.waitForLine(/^review: the drill is over \(PASSED\)/);
      expect(existsSync(join(out, 'result.json')), 'not written while the review is open').to.equal(false);
      await page.getByText(/the drill is over \(passed\); open for lessons/).waitFor();
      const lesson = await cli(['lesson', 'the decision alarm fired before anyone looked', '--as', 'Olu']);
      expect(lesson.code, lesson.output).to.equal(0);
      await page.fill('#lesson input[name=message]', 'the runbook lacked the DNS check');
      await page.click('#lesson button');
      await page.getByText('the runbook lacked the DNS check (Ines)').waitFor();
      const scribe = await cli(['signoff', '--role', 'scribe', '--as', 'Sam']);
      expect(scribe.code, scribe.output).to.equal(0);
      await page.getByText('signed off by Sam, scribe').waitFor();
      await page.screenshot({ path: join(state.path, 'live-page-review.png'), fullPage: true });
      await page.fill('#signoff input[name=role]', 'incident commander');
      await page.check('#signoff input[name=close]');
      await page.click('#signoff button');

      const ended = await drill.exited;
      expect(ended.code, ended.output).to.equal(0);
      expect(ended.stdout).to.include('signed off by Sam (scribe), Ines (incident commander)');
      expect(ended.stdout).to.include('corrective action: alarm period too long (owner Olu, due 2027-01-15)');
      const result = readResult(out);
      drillId = result.drillId;
      const decide = Date.parse(result.milestones.decide!.wall);
      expect(decide, 'T_decide is the click').to.be.within(clicked - TOLERANCE_MS, clickDone + TOLERANCE_MS);
      expect(result.gameDay!.approvals.map(({ gate, by, via }) => ({ gate, by, via }))).to.deep.equal([{ gate: 'failover', by: 'Ines', via: 'page' }]);
      expect(result.gameDay!.notes.map(({ author, message }) => `${author}: ${message}`)).to.deep.equal([
        'Olu: checkout answers 502', 'Ines: DNS still points at the primary', 'Sam: alarm period too long',
      ]);
      const review = result.gameDay!.review!;
      expect(review.closedBy).to.equal('sign-off');
      expect(review.lessons.map(({ author, message }) => `${author}: ${message}`)).to.deep.equal(['Olu: the decision alarm fired before anyone looked', 'Ines: the runbook lacked the DNS check']);
      expect(review.signOff.map(({ name, role }) => `${name}, ${role}`)).to.deep.equal(['Sam, scribe', 'Ines, incident commander']);
      expect(Date.parse(review.openedAt), 'the review opens after the drill ended').to.be.at.least(Date.parse(result.endedAt));
    } finally {
      await browser.close();
    }

    // The history hashed the result with its review in it; the compliance report reads it from there.
    const today = new Date().toISOString().slice(0, 10);
    const reportDir = join(state.path, 'report');
    const report = await cli(['report', 'compliance', '--from', today, '--to', today, '--out', reportDir]);
    expect(report.code, report.output).to.equal(0);
    const verified = await cli(['report', 'verify']);
    expect(verified.code, verified.output).to.equal(0);
    const compliance = JSON.parse(readFileSync(join(reportDir, 'compliance.json'), 'utf8')) as ComplianceReport;
    const own = <T extends { drillId: string }>(rows: T[]) => rows.filter((r) => r.drillId === drillId);
    expect(own(compliance.gameDay.participants).map((p) => `${p.name} (${p.role})`)).to.deep.equal(['Ines (commander)', 'Sam (scribe)']);
    expect(own(compliance.gameDay.notes).map((n) => `${n.author}: ${n.message}`)).to.deep.equal(['Olu: checkout answers 502', 'Ines: DNS still points at the primary', 'Sam: alarm period too long']);
    expect(own(compliance.gameDay.correctiveActions).map(({ action, owner, due, raisedBy }) => ({ action, owner, due, raisedBy }))).to.deep.equal([{ action: 'alarm period too long', owner: 'Olu', due: '2027-01-15', raisedBy: 'Sam' }]);
    expect(own(compliance.gameDay.signOff).map((o) => `${o.name}, ${o.role}`)).to.deep.equal(['Sam, scribe', 'Ines, incident commander']);
    const pdf = spawnSync('pdftotext', ['-layout', join(reportDir, 'compliance.pdf'), '-'], { encoding: 'utf8' });
    expect(pdf.status, pdf.stderr).to.equal(0);
    const section = (title: string, next?: string) => {
      const start = pdf.stdout.indexOf(title);
      expect(start, title).to.be.at.least(0);
      return pdf.stdout.slice(start, next ? pdf.stdout.indexOf(next, start) : undefined);
    };
    const notes = section('Notes and observations, in time order', 'Corrective actions');
    // Each note as far as its first line in the PDF's table.
    const inOrder = ['checkout answers 502', 'DNS still points at the', 'alarm period too long'].map((n) => notes.indexOf(n));
    expect(inOrder.every((at, i) => at > inOrder[i - 1]! || (i === 0 && at >= 0)), `the notes in order in the PDF:\n${notes}`).to.equal(true);
    expect(section('Corrective actions', 'Lessons learned')).to.include('2027-01-15');
    expect(section('Review and sign-off')).to.include('incident commander');
  });

  it('in the terminal running the drill (a pseudo-terminal), the key a approves the waiting gate, as the person at it', async function () {
    if (!hasPseudoTerminal()) this.skip();
    const scenario = state.write('gated-keys.yaml', gatedScenario({ timeout: '4m' }));
    const out = join(state.path, 'out-keys');
    const drill = startCli(['run', scenario, '--state-dir', state.path, '--out', out], { timeoutMs: DRILL_TIMEOUT_MS, env: { ...NOT_CI, FIREDRILL_USER: 'Kim' }, terminal: true });
    await drill.waitForLine(/press a to approve the gate that waits longest, as Kim/);
    await drill.waitForLine(/gate failover: waiting for approval/);
    const pressed = Date.now();
    drill.child.stdin!.write('a');
    await drill.waitForLine(/gate failover: approved by Kim \(cli\)/);
    const seen = Date.now();
    const ended = await drill.exited;
    expect(ended.code, ended.output).to.equal(0);
    const result = readResult(out);
    expect(result.gameDay!.approvals.map(({ gate, by, via }) => ({ gate, by, via }))).to.deep.equal([{ gate: 'failover', by: 'Kim', via: 'cli' }]);
    expect(Date.parse(result.milestones.decide!.wall), 'T_decide is the key press').to.be.within(pressed - TOLERANCE_MS, seen + TOLERANCE_MS);
  });

  it('in raw mode Ctrl-C still stops the drill at the gate, and every fault is reverted', async function () {
    if (!hasPseudoTerminal()) this.skip();
    const scenario = state.write('gated-keys-interrupt.yaml', gatedScenario({ timeout: '4m' }));
    const out = join(state.path, 'out-keys-interrupt');
    const drill = startCli(['run', scenario, '--state-dir', state.path, '--out', out], { timeoutMs: DRILL_TIMEOUT_MS, env: NOT_CI, terminal: true });
    await drill.waitForLine(/gate failover: waiting for approval/);
    expect(await lab.proxyMode(), 'the fault is in effect while the gate waits').to.equal('drop');
    drill.child.stdin!.write('\x03');
    const ended = await drill.exited;
    expect(ended.code, ended.output).to.equal(EXIT.aborted);
    expect(ended.output).to.include('SIGINT received: stopping the drill and reverting every fault');
    const result = readResult(out);
    expect(result.outcome).to.equal('aborted');
    expect(result.faults.map((f) => ({ name: f.name, verified: f.verified }))).to.deep.equal([{ name: 'primary-region-outage', verified: true }]);
    expect(await lab.proxyMode()).to.equal('pass');
  });

  it('a gate nobody approves aborts the drill at its timeout and reverts every fault', async () => {
    const scenario = state.write('gated-timeout.yaml', gatedScenario({ timeout: '2s' }));
    const out = join(state.path, 'out-timeout');
    const drill = startCli(['run', scenario, '--state-dir', state.path, '--out', out], { timeoutMs: DRILL_TIMEOUT_MS, env: NOT_CI });
    await drill.waitForLine(/gate failover: waiting for approval/);
    expect(await lab.proxyMode(), 'the fault is in effect while the gate waits').to.equal('drop');
    const ended = await drill.exited;
    expect(ended.code, ended.output).to.equal(EXIT.aborted);
    expect(ended.stdout).to.include('blackhole primary-region-outage: reverted and verified');
    const result = readResult(out);
    expect(result.outcome).to.equal('aborted');
    expect(result.aborted).to.deep.include({ reason: 'gate failover: nobody approved within 2.00s', guardrail: 'gate:failover' });
    const waited = result.aborted!.at - result.phases.find((p) => p.phase === 'inject')!.end!;
    expect(waited, 'aborted at the timeout, not before').to.be.within(2_000, 3_000);
    expect(result.faults.map((f) => ({ name: f.name, verified: f.verified }))).to.deep.equal([{ name: 'primary-region-outage', verified: true }]);
    expect(result.milestones.decide).to.equal(null);
    expect(await lab.proxyMode()).to.equal('pass');
    expect(lab.journalEntries().filter((e) => e.status !== 'reverted')).to.deep.equal([]);
  });

  it('in CI mode a manual gate refuses the drill at once (exit 2, nothing injected), with --ci or CI=true', async () => {
    const scenario = state.write('gated-ci.yaml', gatedScenario({ timeout: '4m' }));
    const journalBefore = lab.journalEntries().length;
    for (const [args, env] of [[['--ci'], NOT_CI], [[], { CI: 'true' }]] as const) {
      const out = join(state.path, `out-ci-refused-${args.length}`);
      const started = Date.now();
      const refused = await cli(['run', scenario, '--out', out, ...args], env);
      expect(refused.code, refused.output).to.equal(2);
      expect(refused.stderr).to.include('CI mode never waits for a person, and this scenario has manual gate(s):');
      expect(refused.stderr).to.include('gates[0] "failover": set "ci: approve" to decide automatically in CI');
      expect(Date.now() - started, 'fails fast').to.be.below(10_000);
      expect(existsSync(join(out, 'result.json'))).to.equal(false);
      expect(lab.journalEntries().length, 'nothing was journalled, so nothing injected').to.equal(journalBefore);
    }
  });

  it('in CI mode `ci: approve` decides at once and the drill runs unattended, with no live page', async () => {
    const scenario = state.write('gated-ci-approve.yaml', gatedScenario({ timeout: '4m', ci: 'approve' }));
    const out = join(state.path, 'out-ci-approve');
    const ran = await runCli(['run', scenario, '--state-dir', state.path, '--out', out], { timeoutMs: DRILL_TIMEOUT_MS, env: { CI: 'true' } });
    expect(ran.code, ran.output).to.equal(0);
    expect(ran.output).not.to.include('live view:');
    expect(ran.output).not.to.include('waiting for approval');
    const result = readResult(out);
    expect(result.outcome).to.equal('passed');
    expect(result.gameDay!.approvals.map(({ gate, by, via }) => ({ gate, by, via }))).to.deep.equal([{ gate: 'failover', by: 'ci', via: 'ci' }]);
    expect(result.milestones.decide!.t).to.equal(result.gameDay!.approvals[0]!.t);
  });
});
