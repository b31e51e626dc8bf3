import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { sampleOnce } from '../support/sample-once.js';
import { startDnsServer, type DnsServer } from '../../lab/dns-server.js';
import { createHttpProbe, type HttpProbeSettings } from '../../src/probes/http.js';
import type { Probe, SampleOutcome } from '../../src/probes/probe.js';
import { freePort, waitFor } from '../../src/runtime/wait.js';

const TOKEN = 'Bearer s3cr3t-t0ken-value';

interface TestServer {
  server: Server;
  port: number;
  connections: number;
  hosts: string[];
  /** The first request to `/held` waits here until the test answers it; later ones are answered at once. */
  held: ServerResponse[];
  heldOnce: boolean;
}

function route(region: string, req: IncomingMessage, res: ServerResponse, t: TestServer): void {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  res.setHeader('x-region', region);
  if (path === '/held' && !t.heldOnce) {
    t.heldOnce = true;
    t.held.push(res);
    t.server.emit('held');
    return;
  }
  if (path === '/slow') return; // never answers: the probe must give up on its own
  if (path === '/private' && req.headers.authorization !== TOKEN) {
    res.writeHead(401).end();
    return;
  }
  if (path.startsWith('/status/')) {
    res.writeHead(Number(path.slice('/status/'.length))).end('status page');
    return;
  }
  if (path === '/json') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok', served: { region: 'us-west-2' } }));
    return;
  }
  if (path === '/echo') {
    let body = '';
    req.on('data', (chunk: Buffer) => { body += chunk.toString(); });
    req.on('end', () => res.writeHead(200).end(`${req.method} ${req.headers['content-type']} ${body}`));
    return;
  }
  res.writeHead(200).end('hello world');
}

async function startHttpServer(host: string, port: number, region: string): Promise<TestServer> {
  const t: TestServer = { server: createServer((req, res) => {
    t.hosts.push(req.headers.host ?? '');
    route(region, req, res, t);
  }), port: 0, connections: 0, hosts: [], held: [], heldOnce: false };
  t.server.on('connection', () => { t.connections++; });
  t.server.listen(port, host);
  await once(t.server, 'listening');
  t.port = (t.server.address() as AddressInfo).port;
  return t;
}

async function stopHttpServer(t: TestServer | undefined): Promise<void> {
  if (!t) return;
  t.server.closeAllConnections();
  await new Promise((resolve) => t.server.close(resolve));
}


describe('HTTP probe', () => {
  let target: TestServer;
  const probes: Probe[] = [];
  const url = (path: string) => `http://127.0.0.1:${target.port}${path}`;
  const open = (settings: Partial<HttpProbeSettings> & { url: string }) => {
    const probe = createHttpProbe('web', settings);
    probes.push(probe);
    return probe;
  };
  before(async () => {
    target = await startHttpServer('127.0.0.1', 0, 'primary');
  });
  afterEach(async () => {
    await Promise.all(probes.splice(0).map((p) => p.close()));
  });
  after(() => stopHttpServer(target));

  it('is ok on 2xx by default, with the address it connected to', async () => {
    expect(await sampleOnce(open({ url: url('/') }))).to.deep.equal({ ok: true, status: 200, detail: { address: '127.0.0.1' } });
  });

  it('fails on a status outside the expectation, and passes one listed', async () => {
    expect(await sampleOnce(open({ url: url('/status/503') }))).to.deep.include({ ok: false, status: 503, error: 'expected status 2xx, got 503' });
    expect(await sampleOnce(open({ url: url('/status/503'), expect: { status: [200, 204] } }))).to.deep.include({ ok: false, error: 'expected status 200 or 204, got 503' });
    expect(await sampleOnce(open({ url: url('/status/404'), expect: { status: 404 } }))).to.deep.include({ ok: true, status: 404 });
  });

  it('checks that the body contains a text', async () => {
    expect((await sampleOnce(open({ url: url('/'), expect: { bodyContains: 'hello' } }))).ok).to.equal(true);
    expect(await sampleOnce(open({ url: url('/'), expect: { bodyContains: 'goodbye' } }))).to.deep.include({ ok: false, error: 'expected body to contain "goodbye"' });
  });

  it('checks a JSON condition, and refuses a body that is not JSON', async () => {
    expect((await sampleOnce(open({ url: url('/json'), expect: { json: { path: 'status', equals: 'ok' } } }))).ok).to.equal(true);
    const wrong = await sampleOnce(open({ url: url('/json'), expect: { json: { path: 'status', in: ['degraded'] } } }));
    expect(wrong).to.deep.include({ ok: false, error: 'expected JSON "status" to match {"in":["degraded"]}, got "ok"' });
    const notJson = await sampleOnce(open({ url: url('/'), expect: { json: { path: 'status', equals: 'ok' } } }));
    expect(notJson).to.deep.include({ ok: false, error: 'expected a JSON body, got something else' });
  });

  it('attributes the Region from a header or from a JSON field, also on failures', async () => {
    expect((await sampleOnce(open({ url: url('/'), region: { header: 'X-Region' } }))).region).to.equal('primary');
    expect((await sampleOnce(open({ url: url('/status/500'), region: { header: 'x-region' } }))).region).to.equal('primary');
    expect((await sampleOnce(open({ url: url('/json'), region: { json: 'served.region' } }))).region).to.equal('us-west-2');
  });

  it('sends the method and a JSON body', async () => {
    const outcome = await sampleOnce(open({ url: url('/echo'), method: 'post', body: { write: 1 }, expect: { bodyContains: 'POST application/json {"write":1}' } }));
    expect(outcome.ok, outcome.error).to.equal(true);
  });

  it('gives up at its timeout with a short reason', async () => {
    const started = performance.now();
    const outcome = await sampleOnce(open({ url: url('/slow'), timeout: '300ms' }));
    const elapsed = performance.now() - started;
    expect(outcome).to.deep.include({ ok: false, error: 'timeout after 300ms' });
    expect(elapsed).to.be.within(290, 800);
  });

  it('reports a refused connection by its code', async () => {
    const port = await freePort();
    expect(await sampleOnce(open({ url: `http://127.0.0.1:${port}/` }))).to.deep.equal({ ok: false, error: 'ECONNREFUSED' });
  });

  it('opens a new connection per sample when fresh, and reuses one when keep-alive', async () => {
    const before = target.connections;
    const fresh = open({ url: url('/') });
    for (let i = 0; i < 3; i++) expect((await sampleOnce(fresh)).ok).to.equal(true);
    expect(target.connections - before).to.equal(3);

    const pooled = open({ url: url('/'), connection: 'keep-alive' });
    const beforePooled = target.connections;
    for (let i = 0; i < 5; i++) expect((await sampleOnce(pooled)).ok).to.equal(true);
    expect(target.connections - beforePooled).to.equal(1);
  });

  it('keep-alive: a sample never waits behind one still unanswered; it opens a connection of its own', async () => {
    const probe = open({ url: url('/held'), connection: 'keep-alive', timeout: '5s' });
    const before = target.connections;
    const reached = once(target.server, 'held');
    const first = sampleOnce(probe);
    await reached;
    const second = await sampleOnce(probe);
    expect(second).to.deep.include({ ok: true, status: 200 });
    target.held.splice(0).forEach((res) => res.writeHead(200).end('late'));
    expect(await first).to.deep.include({ ok: true, status: 200 });
    expect(target.connections - before).to.equal(2);
    expect((await sampleOnce(probe)).ok).to.equal(true);
    expect(target.connections - before, 'the next sample reuses an idle one').to.equal(2);
  });

  it('never puts header values in an outcome, whatever happens', async () => {
    const port = await freePort();
    const headers = { authorization: TOKEN, cookie: 'session=very-secret-cookie' };
    const outcomes = [
      await sampleOnce(open({ url: url('/private'), headers, region: { header: 'x-region' } })),
      await sampleOnce(open({ url: url('/status/500'), headers, expect: { bodyContains: 'x' } })),
      await sampleOnce(open({ url: url('/slow'), headers, timeout: '200ms' })),
      await sampleOnce(open({ url: `http://127.0.0.1:${port}/`, headers })),
    ];
    const broken = (() => {
      try {
        open({ url: url('/private'), headers: { authorization: `${TOKEN}\n` } });
      } catch (error) {
        return error as Error;
      }
    })();
    expect(broken?.message, 'a header value with a line break is refused with its settings').to.match(/authorization[\s\S]*without line breaks/);
    expect(broken?.message).not.to.include('s3cr3t');
    expect(outcomes[0]).to.deep.include({ ok: true, status: 200 });
    for (const outcome of outcomes) {
      const text = JSON.stringify(outcome);
      expect(text).not.to.include('s3cr3t');
      expect(text).not.to.include('very-secret-cookie');
    }
  });

  it('validates its settings', () => {
    expect(() => createHttpProbe('web', { url: 'ftp://x/' })).to.throw();
    expect(() => createHttpProbe('web', { url: url('/'), interval: 'often' })).to.throw(/got \\"often\\"/);
    expect(() => createHttpProbe('web', { url: url('/'), resolve: { nameservers: ['127.0.0.1'], ttl: 'forever' } })).to.throw(/"honour", \\"none\\"|honour/);
  });
});

describe('HTTP probe resolving through the lab DNS', () => {
  let primary: TestServer | undefined;
  let recovery: TestServer | undefined;
  let dns: DnsServer;
  let answer = '127.0.0.10';
  let probe: Probe | undefined;
  let pooled: Probe | undefined;

  before(async () => {
    // The same port on two loopback addresses, as a DNS failover between two Regions looks.
    for (let attempt = 0; attempt < 5 && !recovery; attempt++) {
      await stopHttpServer(primary);
      primary = await startHttpServer('127.0.0.10', 0, 'primary');
      recovery = await startHttpServer('127.0.0.20', primary.port, 'recovery').catch(() => undefined);
    }
    if (!recovery) throw new Error('could not bind 127.0.0.10 and 127.0.0.20 on one port');
    dns = await startDnsServer({ host: '127.0.0.1', port: 0, answer: ({ name }) => (name === 'app.test' ? { records: [{ type: 'A', address: answer, ttl: 1 }] } : undefined) });
  });
  after(async () => {
    await Promise.all([probe?.close(), pooled?.close()]);
    await Promise.all([stopHttpServer(primary), stopHttpServer(recovery), dns?.close()]);
  });

  it('connects to the address the DNS gives, keeps the Host, and follows a switch after the TTL', async () => {
    const settings = { url: `http://app.test:${primary!.port}/`, region: { header: 'x-region' }, resolve: { nameservers: [`127.0.0.1:${dns.port}`] } };
    probe = createHttpProbe('web', settings);
    pooled = createHttpProbe('web-pooled', { ...settings, connection: 'keep-alive' });
    for (let i = 0; i < 2; i++) expect((await sampleOnce(pooled)).region).to.equal('primary');
    const first = await sampleOnce(probe);
    const answeredAt = performance.now();
    expect(first).to.deep.include({ ok: true, region: 'primary', detail: { address: '127.0.0.10' } });
    expect(primary!.hosts.at(-1)).to.equal(`app.test:${primary!.port}`);

    answer = '127.0.0.20';
    expect((await sampleOnce(probe)).region, 'a client honouring the TTL still goes to the old address').to.equal('primary');

    let switched: SampleOutcome | undefined;
    await waitFor(async () => {
      const outcome = await sampleOnce(probe!);
      if (outcome.region !== 'recovery') return false;
      switched = outcome;
      return true;
    }, { timeoutMs: 3_000, intervalMs: 50, what: 'the probe to follow the DNS switch' });
    expect(performance.now() - answeredAt).to.be.at.least(950);
    expect(switched).to.deep.include({ ok: true, detail: { address: '127.0.0.20' } });
    expect(recovery!.hosts.at(-1)).to.equal(`app.test:${primary!.port}`);
    expect(await sampleOnce(pooled), 'a pooled connection hides the DNS change').to.deep.include({ region: 'primary', detail: { address: '127.0.0.10' } });
  });
});
