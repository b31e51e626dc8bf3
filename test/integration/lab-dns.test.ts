import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { emulatorTarget, route53Client } from '../../src/aws/clients.js';
import { pointPrimaryRecord } from '../../lab/control-plane.js';
import type { TruthEvent } from '../../lab/ground-truth.js';
import { startLab, type Lab } from '../../lab/lab.js';
import { createResolver } from '../../src/net/resolver.js';
import { waitFor } from '../../src/runtime/wait.js';

const PROJECT_DIR = fileURLToPath(new URL('../..', import.meta.url));

/*
 * The lab's nameserver answers from its own copy of the zone (lab/answer-copy.ts), not by calling
 * the emulator per query: a change the lab makes must be in the copy before the lab counts it as
 * made, and one it did not make must reach the answers within the copy's refresh.
 */
describe('the lab\'s DNS, answering from its copy of the zone', function () {
  this.timeout(60_000);
  let work: string;
  let lab: Lab;
  const answer = async () => (await createResolver({ nameservers: [lab.vars.dns], ttl: 'none' }).resolve4(lab.vars.appName)).addresses;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'firedrill-lab-dns-'));
    lab = await startLab({ dir: join(work, 'lab'), projectDir: PROJECT_DIR });
  });
  after(async () => {
    await lab?.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('answers the recovery Region as soon as the controller records its DNS switch', async () => {
    expect(await answer()).to.deep.equal([lab.vars.primaryAddress]);
    // Asked the moment the switch is recorded: the copy was read again before, not up to a refresh later.
    const atSwitch = new Promise<string[]>((resolve, reject) => {
      const record = lab.truth.record.bind(lab.truth);
      lab.truth.record = (event: TruthEvent, ...rest) => {
        const recorded = record(event, ...rest);
        if (event === 'dns-switched') answer().then(resolve, reject);
        return recorded;
      };
    });
    lab.proxy.setFault({ mode: 'drop' });
    expect(await atSwitch).to.deep.equal([lab.vars.recoveryAddress]);
    lab.proxy.clearFault();
  });

  it('answers a change someone else made to the zone within a refresh', async () => {
    const route53 = route53Client(emulatorTarget(lab.vars.awsEndpoint, 'us-east-1'));
    try {
      await pointPrimaryRecord(route53, lab.zone, '127.0.0.30');
      await waitFor(async () => (await answer()).includes('127.0.0.30'), { timeoutMs: 5_000, what: 'the lab DNS to answer the changed record' });
    } finally {
      route53.destroy();
    }
  });
});
