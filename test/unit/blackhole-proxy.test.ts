import { expect } from 'chai';
import { once } from 'node:events';
import { Agent, createServer, request, type Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { runProxyCommand } from '../../src/cli/proxy-command.js';
import { startBlackholeProxy, type BlackholeProxy } from '../../src/faults/blackhole-proxy.js';
import { freePort, waitFor } from '../../src/runtime/wait.js';
import { failureOf } from '../support/failure-of.js';

interface Answer { status: number; body: string; reusedSocket: boolean }

const LOOPBACK = '127.0.0.1';

/** 200 KB of numbered lines: any reordered or lost chunk changes it. */
const BIG_BODY = Array.from({ length: 20_000 }, (_, i) => `line ${i}`).join('\n');

async function startUpstream(): Promise<Server> {
  const server = createServer((req, res) => res.end(req.url === '/big' ? BIG_BODY : 'upstream ok'));
  server.listen(0, LOOPBACK);
  await once(server, 'listening');
  return server;
}

function portOf(server: Server): number {
  return (server.address() as { port: number }).port;
}

/** A GET through the proxy; rejects with code CLIENT_TIMEOUT when nothing answers in time. */
function get(port: number, options: { timeoutMs?: number; agent?: Agent; path?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: LOOPBACK, port, path: options.path ?? '/', agent: options.agent ?? false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { body += chunk; });
      res.on('end', () => resolve({ status: res.statusCode!, body, reusedSocket: req.reusedSocket }));
      res.on('error', reject);
    });
    req.setTimeout(options.timeoutMs ?? 2_000, () => req.destroy(Object.assign(new Error('client timeout'), { code: 'CLIENT_TIMEOUT', reusedSocket: req.reusedSocket })));
    req.on('error', reject);
    req.end();
  });
}

type RequestError = NodeJS.ErrnoException & { reusedSocket?: boolean };

async function errorCodeOf(promise: Promise<unknown>): Promise<string | undefined> {
  return (await failureOf<RequestError>(promise)).code;
}

async function openRawConnection(proxy: BlackholeProxy): Promise<Socket> {
  const before = proxy.state().connections;
  const socket = connect(proxy.listenAddress.port, LOOPBACK);
  await once(socket, 'connect');
  await waitFor(() => proxy.state().connections > before, { timeoutMs: 2_000, intervalMs: 5, what: 'the proxy to accept the connection' });
  return socket;
}

async function fastestOf(n: number, port: number): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    await get(port);
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

describe('blackhole proxy', () => {
  let upstream: Server;
  let proxy: BlackholeProxy;
  let port: number;

  beforeEach(async () => {
    upstream = await startUpstream();
    proxy = await startBlackholeProxy({ name: 'primary-db', listen: { host: LOOPBACK, port: 0 }, upstream: { host: LOOPBACK, port: portOf(upstream) } });
    port = proxy.listenAddress.port;
  });

  afterEach(async () => {
    await proxy.close();
    upstream.closeAllConnections();
    upstream.close();
  });

  it('forwards traffic when no fault is set', async () => {
    const answer = await get(port);
    expect(answer).to.include({ status: 200, body: 'upstream ok' });
    expect(proxy.state()).to.include({ name: 'primary-db', mode: 'pass', upstream: `${LOOPBACK}:${portOf(upstream)}` });
    expect(port).to.be.greaterThan(0);
  });

  it('drop: a new connection is accepted and never answered (a timeout, not a reset)', async () => {
    proxy.setFault({ mode: 'drop' });
    expect(await errorCodeOf(get(port, { timeoutMs: 300 }))).to.equal('CLIENT_TIMEOUT');
  });

  it('drop: an open keep-alive connection stops getting answers', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      expect((await get(port, { agent })).status).to.equal(200);
      proxy.setFault({ mode: 'drop' });
      const failure = await failureOf<RequestError>(get(port, { agent, timeoutMs: 300 }));
      expect(failure.code).to.equal('CLIENT_TIMEOUT');
      expect(failure.reusedSocket).to.equal(true, 'the request must have gone over the already-open connection');
    } finally {
      agent.destroy();
    }
  });

  it('reset: new connections are reset', async () => {
    proxy.setFault({ mode: 'reset' });
    expect(await errorCodeOf(get(port))).to.equal('ECONNRESET');
  });

  it('reset: open connections are reset when it is switched on', async () => {
    const socket = await openRawConnection(proxy);
    const failed = once(socket, 'error');
    proxy.setFault({ mode: 'reset' });
    const [error] = await failed as [NodeJS.ErrnoException];
    expect(error.code).to.equal('ECONNRESET');
  });

  it('latency: a request takes at least latency - jitter longer than without', async () => {
    const baseline = await fastestOf(3, port);
    proxy.setFault({ mode: 'latency', latencyMs: 200, jitterMs: 50 });
    const start = performance.now();
    const answer = await get(port);
    const elapsed = performance.now() - start;
    expect(answer.body).to.equal('upstream ok');
    expect(elapsed - baseline).to.be.at.least(150);
    expect(proxy.state().fault).to.deep.equal({ mode: 'latency', latencyMs: 200, jitterMs: 50 });
  });

  it('latency with jitter keeps the order of chunks in each direction', async () => {
    proxy.setFault({ mode: 'latency', latencyMs: 5, jitterMs: 5 });
    const answer = await get(port, { path: '/big' });
    expect(answer.body.length).to.equal(BIG_BODY.length);
    expect(answer.body === BIG_BODY).to.equal(true, 'the body arrived reordered');
  });

  it('http-error: answers with a 503 naming the proxy by default, or the status asked for', async () => {
    proxy.setFault({ mode: 'http-error' });
    const answer = await get(port);
    expect(answer.status).to.equal(503);
    expect(answer.body).to.contain('primary-db');
    proxy.setFault({ mode: 'http-error', status: 502 });
    expect((await get(port)).status).to.equal(502);
  });

  it('http-error: open connections are closed when it is switched on', async () => {
    const socket = await openRawConnection(proxy);
    socket.on('error', () => undefined);
    const closed = once(socket, 'close');
    proxy.setFault({ mode: 'http-error' });
    await closed;
    expect(socket.destroyed).to.equal(true);
  });

  it('clearing the fault restores traffic and records why it went back to pass', async () => {
    proxy.setFault({ mode: 'drop' });
    expect(await errorCodeOf(get(port, { timeoutMs: 300 }))).to.equal('CLIENT_TIMEOUT');
    const state = proxy.clearFault();
    expect(state).to.include({ mode: 'pass', fault: null, leaseExpiresAt: null });
    expect(state.lastRevert?.reason).to.equal('cleared');
    expect((await get(port)).body).to.equal('upstream ok');
  });

  it('switches atomically: changedAt lies between the clocks read before and after the call', () => {
    const before = Date.now();
    const state = proxy.setFault({ mode: 'drop' });
    const after = Date.now();
    expect(state.changedAt).to.be.within(before, after);
    const cleared = proxy.clearFault();
    expect(cleared.changedAt).to.be.within(after, Date.now());
    expect(proxy.clearFault().changedAt).to.equal(cleared.changedAt, 'clearing twice must not move the revert time');
  });

  it('a lease that is not renewed reverts the fault by itself', async () => {
    const set = proxy.setFault({ mode: 'reset' }, { leaseMs: 150 });
    expect(set.leaseExpiresAt).to.equal(set.changedAt + 150);
    await waitFor(() => proxy.state().mode === 'pass', { timeoutMs: 3_000, intervalMs: 10, what: 'the lease to expire' });
    const state = proxy.state();
    expect(state.lastRevert?.reason).to.equal('lease-expired');
    expect(state.lastRevert!.at).to.be.at.least(set.changedAt + 150);
    expect((await get(port)).status).to.equal(200);
  });

  it('renewing a lease extends it by its own length; renewing without a fault throws', async () => {
    expect(() => proxy.renewLease()).to.throw(/no fault set/);
    const set = proxy.setFault({ mode: 'drop' }, { leaseMs: 60_000 });
    await waitFor(() => Date.now() > set.changedAt, { timeoutMs: 1_000, intervalMs: 1, what: 'the wall clock to tick' });
    const renewed = proxy.renewLease();
    expect(renewed.leaseExpiresAt).to.be.greaterThan(set.leaseExpiresAt!);
    expect(renewed.changedAt).to.equal(set.changedAt);
    expect(renewed.mode).to.equal('drop');
  });
});

describe('blackhole proxy with an unreachable upstream', () => {
  it('resets the client, as the upstream would have', async () => {
    const proxy = await startBlackholeProxy({ name: 'dead', listen: { host: LOOPBACK, port: 0 }, upstream: { host: LOOPBACK, port: await freePort() } });
    try {
      expect(await errorCodeOf(get(proxy.listenAddress.port))).to.equal('ECONNRESET');
    } finally {
      await proxy.close();
    }
  });
});

describe('blackhole proxy control API', () => {
  let upstream: Server;
  let proxy: BlackholeProxy;

  before(async () => {
    upstream = await startUpstream();
    proxy = await startBlackholeProxy({
      name: 'api', listen: { host: LOOPBACK, port: 0 }, upstream: { host: LOOPBACK, port: portOf(upstream) }, control: { host: LOOPBACK, port: 0 },
    });
  });

  after(async () => {
    await proxy.close();
    upstream.closeAllConnections();
    upstream.close();
  });

  async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
    const res = await fetch(`${proxy.controlUrl}${path}`, { method, ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }) });
    return { status: res.status, json: await res.json() as Record<string, unknown> };
  }

  it('reports, sets, renews and clears the fault', async () => {
    expect(proxy.controlUrl).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await call('GET', '/state')).json).to.include({ name: 'api', mode: 'pass' });
    const set = await call('PUT', '/fault', { mode: 'latency', latencyMs: 20, leaseMs: 60_000 });
    expect(set.status).to.equal(200);
    expect(set.json).to.include({ mode: 'latency', leaseMs: 60_000 });
    expect(proxy.state().mode).to.equal('latency');
    expect((await call('POST', '/lease/renew')).status).to.equal(200);
    const cleared = await call('DELETE', '/fault');
    expect(cleared.json).to.include({ mode: 'pass' });
    expect(proxy.state().mode).to.equal('pass');
  });

  it('refuses to renew a lease when no fault is set (409)', async () => {
    const renew = await call('POST', '/lease/renew');
    expect(renew.status).to.equal(409);
    expect(renew.json['error']).to.match(/no fault set/);
  });

  it('rejects bad bodies with 400, naming the field and what was expected', async () => {
    const cases: [unknown, RegExp][] = [
      [{ mode: 'latency', latencyMs: 'slow' }, /latencyMs: expected a whole number of milliseconds, got "slow"/],
      [{ mode: 'latency' }, /latencyMs: is required: expected a whole number of milliseconds/],
      [{ mode: 'melt' }, /mode: .*drop.*reset.*latency.*http-error/],
      [{ mode: 'drop', status: 500 }, /status: unknown field/],
      [{ mode: 'http-error', status: 42 }, /status: /],
      [{ mode: 'drop', leaseMs: -1 }, /leaseMs: /],
      ['{not json', /body: expected JSON/],
    ];
    for (const [body, message] of cases) {
      const answer = await call('PUT', '/fault', body);
      expect(answer.status, JSON.stringify(body)).to.equal(400);
      expect(answer.json['error'], JSON.stringify(body)).to.match(message);
    }
    expect(proxy.state().mode).to.equal('pass');
  });

  it('answers 404 for unknown routes, listing the routes it has', async () => {
    const answer = await call('GET', '/nope');
    expect(answer.status).to.equal(404);
    expect(answer.json['error']).to.contain('PUT /fault');
  });
});

describe('firedrill proxy command', () => {
  function capture() {
    const lines = { out: [] as string[], err: [] as string[] };
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => { stop = resolve; });
    return { lines, stop, io: { out: (l: string) => lines.out.push(l), err: (l: string) => lines.err.push(l), untilStopped: () => stopped } };
  }

  it('rejects bad arguments with exit code 2, naming the flag and what was expected', async () => {
    const cases: [string[], RegExp][] = [
      [['--upstream', '127.0.0.1:80'], /--listen is required: expected HOST:PORT/],
      [['--listen', '127.0.0.1', '--upstream', '127.0.0.1:80'], /--listen: expected HOST:PORT .*got "127.0.0.1"/],
      [['--listen', '127.0.0.1:0', '--upstream', '127.0.0.1:99999'], /--upstream: expected HOST:PORT/],
      [['--listen', '127.0.0.1:0', '--upstream', '127.0.0.1:80', '--bogus'], /--bogus/],
    ];
    for (const [argv, message] of cases) {
      const { lines, io } = capture();
      expect(await runProxyCommand(argv, io), argv.join(' ')).to.equal(2);
      expect(lines.err.join('\n')).to.match(message);
    }
  });

  it('runs a proxy with a control API until stopped, then returns 0', async () => {
    const upstream = await startUpstream();
    const { lines, stop, io } = capture();
    try {
      const exit = runProxyCommand(['--listen', '127.0.0.1:0', '--upstream', `127.0.0.1:${portOf(upstream)}`, '--control', '127.0.0.1:0', '--name', 'edge'], io);
      await waitFor(() => lines.out.length > 0, { timeoutMs: 2_000, intervalMs: 5, what: 'the proxy to print its addresses' });
      const [, listenPort, controlUrl] = /listening on 127\.0\.0\.1:(\d+), .*control (http:\S+)/.exec(lines.out[0]!) ?? [];
      expect(lines.out[0]).to.contain('"edge"');
      expect((await get(Number(listenPort))).body).to.equal('upstream ok');
      expect(((await (await fetch(`${controlUrl}/state`)).json()) as { name: string }).name).to.equal('edge');
      stop();
      expect(await exit).to.equal(0);
    } finally {
      upstream.closeAllConnections();
      upstream.close();
    }
  });
});
