/**
 * Secrets never reach results, logs or the timeline: a drill whose probe sends an Authorization
 * header and a cookie, whose fault hook needs a bearer token, and whose data canary connects with
 * a password in its connection string — and none of the four appears in anything it wrote or said.
 */
import { expect } from 'chai';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { main } from '../../src/cli/main.js';
import { startLab, type Lab } from '../../lab/lab.js';
import type { DrillResult } from '../../src/runner/result.js';
import { captureIo } from '../support/capture-io.js';

const PROJECT_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SECRETS = { bearer: 'Bearer probe-token-7f3a9c', cookie: 'session=cookie-secret-51be', hook: 'Bearer hook-token-c0ffee', password: 'db-password-9d8e7f' };

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('secrets stay out of results, logs and the timeline', function () {
  this.timeout(180_000);
  let work: string;
  let lab: Lab;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'firedrill-redaction-'));
    chmodSync(work, 0o711); // PostgreSQL runs as its own user and must reach its data folders
    lab = await startLab({ dir: join(work, 'state', 'lab'), projectDir: PROJECT_DIR, strategy: 'warm-standby' });
  });

  after(async () => {
    await lab?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('a drill with credentials everywhere writes and prints none of them', async () => {
    const scenario = parse(readFileSync(join(PROJECT_DIR, 'drills', 'warm-standby.yaml'), 'utf8')) as Record<string, any>;
    scenario.probes[0].headers = { authorization: SECRETS.bearer, cookie: SECRETS.cookie };
    const withPassword = (url: string) => url.replace('://firedrill@', `://firedrill:${SECRETS.password}@`);
    scenario.canaries[0].writeTo = withPassword(lab.vars.primaryDb!);
    scenario.canaries[0].readFrom = withPassword(lab.vars.recoveryDb!);
    scenario.faults.unshift({
      name: 'replication-hold-back', kind: 'http-hook',
      on: { url: `${lab.vars.replicationHoldBack}/hold-back`, method: 'POST', headers: { authorization: SECRETS.hook }, body: { lagMs: 300 } },
      off: { url: `${lab.vars.replicationHoldBack}/hold-back`, method: 'DELETE', headers: { authorization: SECRETS.hook } },
    });
    scenario.targets = { rto: '30s' };
    const file = join(work, 'secret-drill.yaml');
    writeFileSync(file, stringify(scenario));
    expect(scenario.canaries[0].writeTo).to.contain(SECRETS.password);

    const out = join(work, 'out');
    // From the project, as a user runs it: the drill's shared entries (`use: probes/lab/…`) are found from there.
    const { io, text } = captureIo(PROJECT_DIR);
    const code = await main(['run', file, '--state-dir', join(work, 'state'), '--out', out], io);
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as DrillResult;
    expect(code, text()).to.equal(0);
    expect(result.faults.map((f) => f.verified)).to.deep.equal([true, true]);
    expect(result.measurements.lostWrites, 'the canary with the password really wrote and read').to.not.equal(null);

    const written = filesUnder(out).map((path) => ({ path, content: readFileSync(path, 'utf8') }));
    expect(written.map((w) => w.path)).to.include.members([join(out, 'result.json'), join(out, 'timeline.ndjson')]);
    for (const [name, secret] of Object.entries(SECRETS)) {
      const bare = secret.replace(/^Bearer /, '').replace(/^session=/, '');
      for (const { path, content } of written) expect(content, `${name} in ${path}`).to.not.contain(bare);
      expect(text(), `${name} in the command's output`).to.not.contain(bare);
    }
    const plan = captureIo(PROJECT_DIR);
    await main(['plan', file, '--state-dir', join(work, 'state')], plan.io);
    expect(plan.text()).to.contain('authorization: ***');
    for (const secret of Object.values(SECRETS)) expect(plan.text()).to.not.contain(secret.replace(/^Bearer /, ''));
  });
});
