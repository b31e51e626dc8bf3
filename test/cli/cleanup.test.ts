import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Journal } from '../../src/runner/journal.js';
import { runCli } from '../support/cli-process.js';
import { createTempDir, type TempDir } from '../support/temp-dir.js';

/** `firedrill cleanup` reverts through the drill's own ledger: same deadline, same verification. */
describe('firedrill cleanup with a revert that hangs (black box)', function () {
  this.timeout(60_000);
  let state: TempDir;
  let hanging: Server;
  /** How long the "off" call was held open before the client gave up, by the server's clock. */
  const offCalls: { heldMs?: number }[] = [];

  before(async () => {
    state = createTempDir('cleanup');
    // A fault hook whose "off" call is accepted and never answered.
    hanging = createServer((request) => {
      const call: { heldMs?: number } = {};
      offCalls.push(call);
      const arrived = performance.now();
      request.socket.on('close', () => { call.heldMs = performance.now() - arrived; });
    });
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
  });

  after(async () => {
    hanging.closeAllConnections();
    await new Promise((resolve) => hanging.close(resolve));
    state.remove();
  });

  it('gives up after the revert deadline, says which fault is still in, keeps it in the journal and exits 1', async () => {
    const { port } = hanging.address() as AddressInfo;
    const hook = `http://127.0.0.1:${port}/fault`;
    const journal = Journal.forEnvironment(state.path, 'staging');
    await journal.record({
      drillId: 'crashed-drill', environment: 'staging', name: 'checkout-errors', kind: 'http-hook',
      settings: { on: { url: hook, method: 'POST' }, off: { url: hook, method: 'DELETE' } },
      state: { on: `POST ${hook}` }, status: 'injected',
    });
    const result = await runCli(['cleanup', '--env', 'staging', '--state-dir', state.path, '--revert-timeout', '1s']);
    expect(result.code, result.output).to.equal(1);
    expect(offCalls).to.have.length(1);
    expect(result.stderr).to.include('could not revert http-hook checkout-errors (drill crashed-drill, environment staging): reverting http-hook checkout-errors did not finish within 1000ms — it is still in effect and stays in the journal');
    expect(result.stdout).to.include('0 fault(s) reverted, 1 could not be: they stay in the journal');
    // The hook's own HTTP timeout is 5 s: the ledger's deadline, not the call's, ended the wait.
    expect(offCalls[0]!.heldMs).to.be.within(900, 4_000);
    expect(journal.unreverted().map((e) => e.name)).to.deep.equal(['checkout-errors']);
  });

  it('refuses a revert deadline that is not a duration (exit 2)', async () => {
    const result = await runCli(['cleanup', '--state-dir', state.path, '--revert-timeout', 'soon']);
    expect(result.code).to.equal(2);
    expect(result.stderr).to.include('--revert-timeout: expected a duration like "30s", got "soon"');
  });
});
