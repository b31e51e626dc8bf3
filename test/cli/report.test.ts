import { expect } from 'chai';
import { XMLParser } from 'fast-xml-parser';
import { createPublicKey } from 'node:crypto';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import { captureIo } from '../support/capture-io.js';
import { DRILL_FIXTURES } from '../support/drill-fixtures.js';
import { generateKeyFile, keyFileSigner } from '../../src/report/signers.js';
import { forgeRecord, plantHistory } from '../support/drill-history.js';
import { createTempDir, type TempDir } from '../support/temp-dir.js';

async function report(cwd: string, ...args: string[]): Promise<{ code: number; output: string }> {
  const captured = captureIo(cwd);
  const code = await main(['report', ...args], captured.io);
  return { code, output: captured.text() };
}

describe('firedrill report (in-process, from drill folders and a planted history)', () => {
  let dir: TempDir;
  beforeEach(() => { dir = createTempDir('report'); });
  afterEach(() => dir.remove());

  describe('history and regressions', () => {
    it('flags the one slow run: --fail-on-regression exits 1 and names the run and the measurement', async () => {
      const { file } = await plantHistory(dir.path, [2.6, 2.7, 2.5, 2.65, 2.6, 9.8]);
      const html = join(dir.path, 'history.html');
      const result = await report(dir.path, 'history', '--history', file, '--fail-on-regression', '--html', html);
      expect(result.code, result.output).to.equal(1);
      expect(result.output).to.match(/^\S+ \S+ +lab-demo-day6 +passed .* 9\.80s ±139ms ! /m);
      expect(result.output).to.include("lab-demo (lab) lab-demo-day6: RTO 9.80s ±139ms vs median 2.60s ±139ms of the 5 runs before it (277% worse, beyond both runs' uncertainty)");
      expect(result.output).to.include('the newest run of a scenario regressed');
      const page = readFileSync(html, 'utf8');
      expect(page).to.include('9.80s ±139ms ▲ regression');
      expect(page).to.match(/<svg[^>]*class="plot/);
    });

    it('a slower run inside the uncertainty of the runs before it, or within the share, is no regression', async () => {
      const { file } = await plantHistory(dir.path, [2.6, 2.7, 2.5, 2.65, 2.6, 2.75]);
      const result = await report(dir.path, 'history', '--history', file, '--fail-on-regression');
      expect(result.code, result.output).to.equal(0);
      expect(result.output).to.include('no regressions');
      const strict = await report(dir.path, 'history', '--history', file, '--share', '1%', '--fail-on-regression');
      expect(strict.code, 'the 2.75s run overlaps the baseline bounds (±139ms)').to.equal(0);
    });

    it('--last N shows each scenario’s newest N runs', async () => {
      const { file } = await plantHistory(dir.path, [2.6, 2.7, 2.5, 2.65]);
      const result = await report(dir.path, 'history', '--history', file, '--last', '2');
      expect(result.output).to.include('2 run(s)');
      expect(result.output).to.include('lab-demo-day4').and.include('lab-demo-day3').and.not.include('lab-demo-day2');
    });

    it('bad options exit 2 naming the option', async () => {
      const result = await report(dir.path, 'history', '--history', join(dir.path, 'h.ndjson'), '--share', 'twenty');
      expect(result.code).to.equal(2);
      expect(result.output).to.include('--share: expected a percentage like "20%", got "twenty"');
    });
  });

  describe('verify: the hash chain and every artefact', () => {
    const lines = (file: string) => readFileSync(file, 'utf8').trimEnd().split('\n');

    it('an untouched history verifies (exit 0)', async () => {
      const { file } = await plantHistory(dir.path, [2.6, 2.7, 2.5]);
      const result = await report(dir.path, 'verify', '--history', file);
      expect(result.code, result.output).to.equal(0);
      expect(result.output).to.include('3 record(s), 6 file(s) checked: chain and every SHA-256 intact');
    });

    it('one byte changed in a stored result.json is named', async () => {
      const { file, runDirs } = await plantHistory(dir.path, [2.6, 2.7, 2.5]);
      const resultFile = join(runDirs[1]!, 'result.json');
      writeFileSync(resultFile, readFileSync(resultFile, 'utf8').replace('"passed"', '"passeD"'));
      const result = await report(dir.path, 'verify', '--history', file);
      expect(result.code).to.equal(1);
      expect(result.output).to.include(`TAMPERED: record 2 (drill lab-demo-day2): result.json edited: its SHA-256 no longer matches (${resultFile})`);
    });

    it('one byte changed in an artefact (the timeline), or the artefact deleted, is named', async () => {
      const { file, runDirs } = await plantHistory(dir.path, [2.6, 2.7, 2.5]);
      const timeline = join(runDirs[0]!, 'timeline.ndjson');
      const bytes = readFileSync(timeline);
      bytes[100] = bytes[100]! ^ 1;
      writeFileSync(timeline, bytes);
      rmSync(join(runDirs[2]!, 'timeline.ndjson'));
      const result = await report(dir.path, 'verify', '--history', file);
      expect(result.code).to.equal(1);
      expect(result.output).to.include('TAMPERED: record 1 (drill lab-demo-day1): timeline.ndjson edited');
      expect(result.output).to.include(`TAMPERED: record 3 (drill lab-demo-day3): timeline.ndjson removed (${join(runDirs[2]!, 'timeline.ndjson')})`);
    });

    it('an edited history record is named, even when its own hash was recomputed; its signature no longer holds', async () => {
      const { file, publicKey } = await plantHistory(dir.path, [2.6, 2.7, 2.5]);
      const records = lines(file);
      writeFileSync(file, [records[0], forgeRecord(records[1]!, (r) => { r.outcome = 'failed'; }), records[2]].join('\n') + '\n');
      const result = await report(dir.path, 'verify', '--history', file);
      expect(result.code).to.equal(1);
      expect(result.output).to.include('TAMPERED: record 2 (drill lab-demo-day2): edited: its content no longer matches its SHA-256');

      writeFileSync(file, [records[0], forgeRecord(records[1]!, (r) => { r.outcome = 'failed'; }, { rehash: true }), records[2]].join('\n') + '\n');
      const rehashed = await report(dir.path, 'verify', '--history', file, '--public-key', publicKey);
      expect(rehashed.code).to.equal(1);
      expect(rehashed.output).to.include('TAMPERED: record 2 (drill lab-demo-day2): edited: record 3 (drill lab-demo-day3) links to a different SHA-256');
      expect(rehashed.output).to.match(/TAMPERED: record 2 \(drill lab-demo-day2\): bad signature: key [0-9a-f]{16}… did not sign this content/);
      expect(rehashed.output.match(/bad signature/g)).to.have.length(1);
    });

    it('with the runner\'s public key every signature is checked; a record signed by another key is named', async () => {
      const { file, publicKey } = await plantHistory(dir.path, [2.6, 2.7]);
      const intact = await report(dir.path, 'verify', '--history', file, '--public-key', publicKey);
      expect(intact.code, intact.output).to.equal(0);
      expect(intact.output).to.include('2 record(s), 4 file(s) checked, 2 signature(s) checked against 1 key(s): chain, signatures and every SHA-256 intact');
      const other = generateKeyFile(join(dir.path, 'someone-else.pem'));
      const stranger = await report(dir.path, 'verify', '--history', file, '--public-key', other.publicFile);
      expect(stranger.code).to.equal(1);
      expect(stranger.output).to.include('TAMPERED: record 1 (drill lab-demo-day1): signed only by keys not given to verify');
    });

    it('history lists the sign-offs of the runs it shows; one signed with the runner\'s own key is marked self-attested', async () => {
      const { file, history } = await plantHistory(dir.path, [2.6, 2.7]);
      const alice = generateKeyFile(join(dir.path, 'alice.pem'));
      await history.signOff({ drillId: 'lab-demo-day1', by: 'alice', signer: keyFileSigner(alice.privateFile) });
      const self = await report(dir.path, 'sign-off', '--history', file, '--drill', 'lab-demo-day2', '--key', join(dir.path, 'runner-key.pem'), '--by', 'ci');
      expect(self.code, self.output).to.equal(0);
      expect(self.output).to.include(`sign-off: record 4 in ${file}: ci approves record 2 (drill lab-demo-day2), signed with ${join(dir.path, 'runner-key.pem')}`);
      const result = await report(dir.path, 'history', '--history', file);
      expect(result.code, result.output).to.equal(0);
      const lines = result.output.split('\n').filter((l) => l.startsWith('sign-off: '));
      expect(lines).to.have.length(2);
      expect(lines[0]).to.match(/^sign-off: record 1 \(drill lab-demo-day1\): signed off by alice at \S+ \(key [0-9a-f]{16}…\)$/);
      expect(lines[1]).to.match(/^sign-off: record 2 \(drill lab-demo-day2\): signed off by ci at \S+ \(key [0-9a-f]{16}…\): self-attested/);
      const unknown = await report(dir.path, 'sign-off', '--history', file, '--drill', 'nope', '--key', alice.privateFile);
      expect(unknown.code).to.equal(2);
      expect(unknown.output).to.include(`${file}: no drill nope in the history`);
      const keyless = await report(dir.path, 'sign-off', '--history', file, '--drill', 'lab-demo-day1');
      expect(keyless.code).to.equal(2);
      expect(keyless.output).to.include('sign-off: the approver\'s own key is required: --key FILE, or --kms-key-id ID with --kms-region R');
    });

    it('keygen writes an Ed25519 key (mode 0600) and its public key, and never overwrites a key', async () => {
      const file = join(dir.path, 'keys', 'alice.pem');
      const made = await report(dir.path, 'keygen', '--out', file);
      expect(made.code, made.output).to.equal(0);
      expect(statSync(file).mode & 0o777).to.equal(0o600);
      expect(made.output).to.match(new RegExp(`public key: ${file}\\.pub \\(key id [0-9a-f]{64}; give it to whoever verifies\\)`));
      expect(createPublicKey(readFileSync(`${file}.pub`, 'utf8')).asymmetricKeyType).to.equal('ed25519');
      const again = await report(dir.path, 'keygen', '--out', file);
      expect(again.code).to.equal(2);
      expect(again.output).to.include(`${file}: already exists; a signing key is never overwritten`);
    });

    it('a deleted run and two swapped runs are named', async () => {
      const { file } = await plantHistory(dir.path, [2.6, 2.7, 2.5, 2.4]);
      const records = lines(file);
      writeFileSync(file, [records[0], records[2], records[3]].join('\n') + '\n');
      const removed = await report(dir.path, 'verify', '--history', file);
      expect(removed.code).to.equal(1);
      expect(removed.output).to.include('TAMPERED: record 2: removed: record 3 (drill lab-demo-day3) links to a record that is not in the history');

      writeFileSync(file, [records[0], records[2], records[1], records[3]].join('\n') + '\n');
      const swapped = await report(dir.path, 'verify', '--history', file);
      expect(swapped.code).to.equal(1);
      expect(swapped.output).to.include('TAMPERED: record 2 (drill lab-demo-day2): reordered: it is stored after record 3 (drill lab-demo-day3)');
    });

    it('a history line that is no longer JSON is named by its line', async () => {
      const { file } = await plantHistory(dir.path, [2.6, 2.7]);
      writeFileSync(file, readFileSync(file, 'utf8').replace(/\}\n$/, '\n'));
      const result = await report(dir.path, 'verify', '--history', file);
      expect(result.code).to.equal(1);
      expect(result.output).to.include(`TAMPERED: ${file}: line 2: not a JSON record`);
    });
  });

  describe('junit and chart from drill folders', () => {
    it('report junit writes one test case per drill folder', async () => {
      const out = join(dir.path, 'ci', 'junit.xml');
      const result = await report(dir.path, 'junit', join(DRILL_FIXTURES, 'passed'), join(DRILL_FIXTURES, 'breached'), '--out', out);
      expect(result.code, result.output).to.equal(0);
      const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(readFileSync(out, 'utf8')) as { testsuites: { tests: string; failures: string } };
      expect(parsed.testsuites).to.include({ tests: '2', failures: '1' });
    });

    it('report chart writes the SVG where asked', async () => {
      const out = join(dir.path, 'chart.svg');
      const result = await report(dir.path, 'chart', join(DRILL_FIXTURES, 'breached'), '--out', out);
      expect(result.code, result.output).to.equal(0);
      expect(readFileSync(out, 'utf8')).to.include('T_recovered ±112ms');
    });

    it('a folder that is not a drill’s output exits 2 naming the file', async () => {
      const result = await report(dir.path, 'junit', join(dir.path, 'nothing-here'));
      expect(result.code).to.equal(2);
      expect(result.output).to.include(`${join(dir.path, 'nothing-here', 'result.json')}: no such file (expected a drill's output folder or its result.json)`);
      const garbage = dir.write('result.json', '{"format":"something/else"}');
      const wrong = await report(dir.path, 'chart', garbage);
      expect(wrong.code).to.equal(2);
      expect(wrong.output).to.include(`${garbage}: format: expected "firedrill/result@1", got "something/else"`);
      expect(existsSync(join(dir.path, 'timeline.svg'))).to.equal(false);
    });
  });
});
