import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { createStatusEndpointSignal, statusEndpointSignalSettings, type StatusEndpointSignalSettings } from '../../src/signals/status-endpoint.js';
import type { Signal } from '../../src/signals/signal.js';

const TOKEN = 'Bearer status-s3cr3t';

describe('status endpoint signal', () => {
  let server: Server;
  let base: string;
  /** What the endpoint answers next, first to last; the last one repeats. */
  let script: { status: number; body: string; hang?: boolean }[] = [];
  let requests = 0;
  const signals: Signal[] = [];

  const json = (body: unknown, status = 200) => ({ status, body: JSON.stringify(body) });
  const open = (settings: Omit<StatusEndpointSignalSettings, 'url'>) => {
    const signal = createStatusEndpointSignal('controller', { url: `${base}/status`, ...settings });
    signals.push(signal);
    return signal;
  };
  const poll = (signal: Signal) => signal.observe({ signal: AbortSignal.timeout(5_000) });
  const failure = (signal: Signal) => poll(signal).then(() => undefined, (e: Error) => e.message);

  before(async () => {
    server = createServer((req, res) => {
      requests++;
      if (req.headers.authorization !== TOKEN) return void res.writeHead(401).end();
      const next = script.length > 1 ? script.shift()! : script[0]!;
      if (next.hang) return;
      res.writeHead(next.status, { 'content-type': 'application/json' }).end(next.body);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  beforeEach(() => { requests = 0; });
  afterEach(async () => { await Promise.all(signals.splice(0).map((s) => s.close())); });
  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const headers = { authorization: TOKEN };

  it('reads the state from a field, and since from an ISO timestamp', async () => {
    script = [json({ controller: { active: 'recovery', changedAt: '2026-01-01T00:00:05.250Z' } })];
    const observation = await poll(open({ headers, field: 'controller.active', sinceField: 'controller.changedAt' }));
    expect(observation.state).to.equal('recovery');
    expect(observation.since?.toISOString()).to.equal('2026-01-01T00:00:05.250Z');
  });

  it('reads since from epoch milliseconds, and leaves it out when the field is not a time', async () => {
    script = [json({ active: 'primary', at: 1_767_225_600_000 })];
    expect((await poll(open({ headers, field: 'active', sinceField: 'at' }))).since?.getTime()).to.equal(1_767_225_600_000);
    script = [json({ active: 'primary', at: 'soon' })];
    expect((await poll(open({ headers, field: 'active', sinceField: 'at' }))).since).to.equal(undefined);
  });

  it('names the first state whose condition holds, or none', async () => {
    const states = {
      failedOver: { path: 'active', equals: 'recovery' },
      degraded: { path: 'healthy', equals: false },
      normal: { path: 'healthy', equals: true },
    };
    const signal = open({ headers, states });
    script = [json({ active: 'recovery', healthy: false })];
    expect((await poll(signal)).state).to.equal('failedOver');
    script = [json({ active: 'primary', healthy: false })];
    expect((await poll(signal)).state).to.equal('degraded');
    script = [json({ active: 'primary' })];
    expect((await poll(signal)).state).to.equal('none');
  });

  it('retries once on a 5xx or 429 and takes the second answer', async () => {
    script = [{ status: 429, body: '' }, json({ active: 'primary' })];
    expect((await poll(open({ headers, field: 'active' }))).state).to.equal('primary');
    expect(requests).to.equal(2);
  });

  it('throws on a 500 after one retry, without the header values', async () => {
    script = [json({ error: 'down' }, 500)];
    const message = await failure(open({ headers, field: 'active' }));
    expect(message).to.equal('status endpoint answered 500');
    expect(requests).to.equal(2);
  });

  it('does not retry a 4xx', async () => {
    const message = await failure(open({ headers: { authorization: 'Bearer wrong-s3cr3t' }, field: 'active' }));
    expect(message).to.equal('status endpoint answered 401');
    expect(requests).to.equal(1);
  });

  it('throws on a body that is not JSON, or lacks the field', async () => {
    script = [{ status: 200, body: '<html>' }];
    expect(await failure(open({ headers, field: 'active' }))).to.equal('status endpoint answered something other than JSON');
    script = [json({ other: 1 })];
    expect(await failure(open({ headers, field: 'active' }))).to.equal('status endpoint body has no field "active"');
  });

  it('throws at its timeout', async () => {
    script = [{ status: 200, body: '', hang: true }];
    const started = performance.now();
    expect(await failure(open({ headers, field: 'active', timeout: '200ms' }))).to.equal('status endpoint timed out after 200ms');
    expect(performance.now() - started).to.be.below(1_000);
  });

  it('wants exactly one of field or states', () => {
    expect(statusEndpointSignalSettings.safeParse({ url: base }).success).to.equal(false);
    expect(statusEndpointSignalSettings.safeParse({ url: base, field: 'a', states: { x: { path: 'a' } } }).success).to.equal(false);
    expect(statusEndpointSignalSettings.safeParse({ url: base, field: 'a' }).success).to.equal(true);
  });
});
