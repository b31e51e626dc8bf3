import { expect } from 'chai';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { createClock, timelineMsOf } from '../../src/core/clock.js';
import { DURATION_HINT } from '../../src/core/duration.js';
import type { JsonObject } from '../../src/core/json.js';
import { blackholeFault, renewBlackholeLease, type BlackholeSettings } from '../../src/faults/blackhole.js';
import { startBlackholeProxy, type BlackholeProxy, type ProxyMode } from '../../src/faults/blackhole-proxy.js';
import type { FaultContext } from '../../src/faults/fault.js';
import { freePort, waitFor } from '../../src/runtime/wait.js';
import { failureOf } from '../support/failure-of.js';

const LOOPBACK = '127.0.0.1';

function testContext(onRemember: (state: JsonObject) => void = () => undefined): FaultContext & { logs: string[] } {
  const logs: string[] = [];
  return {
    clock: createClock(),
    signal: new AbortController().signal,
    drillId: 'test-drill',
    async remember(state) { onRemember(state); },
    log: (message) => logs.push(message),
    logs,
  };
}

function settingsOf(input: Record<string, unknown>): BlackholeSettings {
  return blackholeFault.settings.parse(input);
}

function problemsOf(input: Record<string, unknown>): string[] {
  const parsed = blackholeFault.settings.safeParse(input);
  expect(parsed.success, JSON.stringify(input)).to.equal(false);
  return parsed.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('blackhole fault kind', () => {
  let upstream: Server;
  let upstreamFails = false;
  let proxy: BlackholeProxy;
  let settings: BlackholeSettings;

  before(async () => {
    upstream = createServer((_req, res) => {
      res.statusCode = upstreamFails ? 500 : 200;
      res.end('upstream');
    });
    upstream.listen(0, LOOPBACK);
    await once(upstream, 'listening');
    proxy = await startBlackholeProxy({
      name: 'replication-link',
      listen: { host: LOOPBACK, port: 0 },
      upstream: { host: LOOPBACK, port: (upstream.address() as { port: number }).port },
      control: { host: LOOPBACK, port: 0 },
    });
  });

  beforeEach(() => {
    upstreamFails = false;
    proxy.clearFault();
    settings = settingsOf({ proxy: `${proxy.controlUrl}/`, mode: 'drop', verifyUrl: `http://${LOOPBACK}:${proxy.listenAddress.port}/` });
  });

  after(async () => {
    await proxy.close();
    upstream.closeAllConnections();
    upstream.close();
  });

  it('plans the PUT with the lease in milliseconds, and the DELETE that reverts it', () => {
    expect(blackholeFault.plan(settings)).to.deep.equal([
      `PUT ${proxy.controlUrl}/fault {"mode":"drop","leaseMs":30000}`,
      `DELETE ${proxy.controlUrl}/fault (revert)`,
    ]);
    const latency = settingsOf({ proxy: 'http://proxy:8474', mode: 'latency', latency: '200ms', jitter: '50ms', lease: '1m' });
    expect(blackholeFault.plan(latency)[0]).to.equal('PUT http://proxy:8474/fault {"mode":"latency","latencyMs":200,"jitterMs":50,"leaseMs":60000}');
  });

  it('remembers the proxy before the PUT, injects, and times the fault by the proxy\'s own switch', async () => {
    let modeWhenRemembered: ProxyMode | undefined;
    const ctx = testContext(() => { modeWhenRemembered = proxy.state().mode; });
    const injection = await blackholeFault.inject(settings, ctx);
    const state = proxy.state();
    expect(modeWhenRemembered).to.equal('pass');
    expect(state).to.include({ mode: 'drop', leaseMs: 30_000 });
    expect(injection.state).to.deep.equal({ proxy: proxy.controlUrl!, changedAt: state.changedAt });
    expect(injection.at).to.deep.equal({ t: timelineMsOf(ctx.clock, state.changedAt), lower: timelineMsOf(ctx.clock, state.changedAt), upper: timelineMsOf(ctx.clock, state.changedAt) });
    expect(blackholeFault.leaseRenewEveryMs!(settings)).to.equal(10_000);
  });

  it('renews the lease through the control API', async () => {
    const injection = await blackholeFault.inject(settings, testContext());
    const before = proxy.state().leaseExpiresAt!;
    const changedAt = injection.state['changedAt'] as number;
    await waitFor(() => Date.now() > changedAt, { timeoutMs: 1_000, intervalMs: 1, what: 'the wall clock to tick, so a renewal expires later' });
    await renewBlackholeLease(injection.state);
    expect(proxy.state().leaseExpiresAt).to.be.greaterThan(before);
  });

  it('verifyReverted throws while the fault is still set, naming the mode', async () => {
    const ctx = testContext();
    const injection = await blackholeFault.inject(settings, ctx);
    const error = await failureOf(blackholeFault.verifyReverted(settings, injection.state, ctx));
    expect(error.message).to.match(/"replication-link" .* still in mode drop, expected pass/);
  });

  it('reverts (twice safely), returns the revert instant, and verifies traffic flows again', async () => {
    const ctx = testContext();
    const injection = await blackholeFault.inject(settings, ctx);
    const reverted = await blackholeFault.revert(settings, injection.state, ctx);
    const state = proxy.state();
    expect(state.mode).to.equal('pass');
    expect(reverted).to.deep.include({ t: timelineMsOf(ctx.clock, state.changedAt) });
    expect(await blackholeFault.revert(settings, injection.state, ctx)).to.deep.equal(reverted);
    await blackholeFault.verifyReverted(settings, injection.state, ctx);
  });

  it('verifyReverted throws when the verify URL still answers 5xx after the revert', async () => {
    upstreamFails = true;
    const error = await failureOf(blackholeFault.verifyReverted(settings, { proxy: proxy.controlUrl! }, testContext()));
    expect(error.message).to.contain(settings.verifyUrl!).and.to.contain('got 500');
  });

  it('reverts from the journal state alone, even when the PUT never happened', async () => {
    proxy.setFault({ mode: 'reset' });
    await blackholeFault.revert(settings, { proxy: proxy.controlUrl! }, testContext());
    expect(proxy.state().mode).to.equal('pass');
  });

  it('fails with an error naming the URL when the proxy does not answer', async () => {
    const dead = `http://${LOOPBACK}:${await freePort()}`;
    const error = await failureOf(blackholeFault.inject(settingsOf({ proxy: dead, mode: 'drop' }), testContext()));
    expect(error.message).to.contain(`PUT ${dead}/fault`).and.to.contain('ECONNREFUSED');
    const renew = await failureOf(renewBlackholeLease({ proxy: proxy.controlUrl! }));
    expect(renew.message).to.contain(`POST ${proxy.controlUrl}/lease/renew`).and.to.contain('409');
  });

  it('rejects bad settings, naming the field', () => {
    expect(problemsOf({ proxy: 'not a url', mode: 'drop' })).to.have.members(['proxy: expected an http:// or https:// URL, got "not a url"']);
    expect(problemsOf({ proxy: 'http://p', mode: 'drop', lease: 'soon' })).to.have.members([`lease: expected ${DURATION_HINT}, got "soon"`]);
    expect(problemsOf({ proxy: 'http://p', mode: 'latency' })[0]).to.match(/^latency: is required when mode is "latency"/);
    expect(problemsOf({ proxy: 'http://p', mode: 'drop', status: 503 })[0]).to.match(/^status: only applies when mode is "http-error"/);
    expect(problemsOf({ proxy: 'http://p', mode: 'melt' })[0]).to.match(/^mode: /);
    expect(problemsOf({ proxy: 'http://p', mode: 'drop', leese: '1m' })[0]).to.contain('leese');
  });
});
