import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { expect } from 'chai';
import { sampleOnce } from '../support/sample-once.js';
import dnsPacket, { type DecodedPacket } from 'dns-packet';
import { DURATION_HINT } from '../../src/core/duration.js';
import { startDnsServer, type DnsAnswer, type DnsServer } from '../../lab/dns-server.js';
import { createDnsProbe, dnsProbeSettings } from '../../src/probes/dns.js';
import { createResolver } from '../../src/net/resolver.js';
import { waitFor } from '../../src/runtime/wait.js';
import { createDnsAnswerSignal } from '../../src/signals/dns-answer.js';

/** The zone the tests serve; `app.test` is switched between Regions by the tests. */
interface Zone {
  app: string[];
  ttl: number;
  broken: boolean;
}

function answerFrom(zone: Zone) {
  return ({ name }: { name: string }): DnsAnswer | undefined => {
    if (zone.broken) throw new Error('control plane down');
    if (name !== 'app.test') return undefined;
    return { records: zone.app.map((address) => ({ type: 'A' as const, address, ttl: zone.ttl })) };
  };
}

async function ask(server: DnsServer, name: string, type: 'A' | 'AAAA' = 'A'): Promise<DecodedPacket> {
  const socket = createSocket('udp4');
  try {
    socket.send(dnsPacket.encode({ type: 'query', id: 4242, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type, name }] }), server.port, server.host);
    const [message] = (await once(socket, 'message', { signal: AbortSignal.timeout(2_000) })) as [Buffer];
    return dnsPacket.decode(message);
  } finally {
    socket.close();
  }
}

describe('lab DNS server', () => {
  const zone: Zone = { app: ['127.0.0.10'], ttl: 30, broken: false };
  let server: DnsServer;
  before(async () => {
    server = await startDnsServer({ host: '127.0.0.1', port: 0, answer: answerFrom(zone) });
  });
  after(() => server.close());
  afterEach(() => Object.assign(zone, { app: ['127.0.0.10'], ttl: 30, broken: false }));

  it('answers A authoritatively with the TTL, whatever the case and trailing dot', async () => {
    const reply = await ask(server, 'APP.Test.');
    expect(reply.id).to.equal(4242);
    expect(reply.flag_aa).to.equal(true);
    expect((reply as { rcode?: string }).rcode).to.equal('NOERROR');
    expect(reply.answers).to.have.length(1);
    expect(reply.answers![0]).to.include({ type: 'A', data: '127.0.0.10', ttl: 30 });
    expect(server.queries).to.be.greaterThan(0);
  });

  it('answers a name it does not know with NXDOMAIN', async () => {
    const reply = await ask(server, 'other.test');
    expect((reply as { rcode?: string }).rcode).to.equal('NXDOMAIN');
    expect(reply.flag_aa).to.equal(true);
    expect(reply.answers).to.have.length(0);
  });

  it('answers a known name with no records of the asked type with no answers', async () => {
    const reply = await ask(server, 'app.test', 'AAAA');
    expect((reply as { rcode?: string }).rcode).to.equal('NOERROR');
    expect(reply.answers).to.have.length(0);
  });

  it('answers SERVFAIL when its control plane fails or gives an address that is not one', async () => {
    zone.broken = true;
    expect(((await ask(server, 'app.test')) as { rcode?: string }).rcode).to.equal('SERVFAIL');
    zone.broken = false;
    zone.app = ['not-an-address'];
    expect(((await ask(server, 'app.test')) as { rcode?: string }).rcode).to.equal('SERVFAIL');
  });
});

describe('client resolver', () => {
  const zone: Zone = { app: ['127.0.0.10'], ttl: 1, broken: false };
  let server: DnsServer;
  let nameserver: string;
  before(async () => {
    server = await startDnsServer({ host: '127.0.0.1', port: 0, answer: answerFrom(zone) });
    nameserver = `127.0.0.1:${server.port}`;
  });
  after(() => server.close());
  afterEach(() => Object.assign(zone, { app: ['127.0.0.10'], ttl: 1, broken: false }));

  it('with "honour", keeps serving the cached answer until its TTL passes, then the new one', async () => {
    const resolver = createResolver({ nameservers: [nameserver], ttl: 'honour' });
    const first = await resolver.resolve4('app.test');
    const answeredAt = performance.now();
    expect(first).to.deep.include({ addresses: ['127.0.0.10'], ttlMs: 1_000, fromCache: false });

    zone.app = ['127.0.0.20'];
    const cached = await resolver.resolve4('app.test');
    expect(cached.addresses).to.deep.equal(['127.0.0.10']);
    expect(cached.fromCache).to.equal(true);
    expect(cached.ttlMs).to.be.within(1, 1_000);

    let switchedAt = 0;
    await waitFor(async () => {
      const now = await resolver.resolve4('app.test');
      if (now.addresses[0] !== '127.0.0.20') return false;
      switchedAt = performance.now();
      expect(now.fromCache).to.equal(false);
      return true;
    }, { timeoutMs: 3_000, intervalMs: 50, what: 'the resolver to see the new answer' });
    expect(switchedAt - answeredAt).to.be.at.least(950);
  });

  it('with "none", asks every time', async () => {
    const resolver = createResolver({ nameservers: [nameserver], ttl: 'none' });
    await resolver.resolve4('app.test');
    zone.app = ['127.0.0.20'];
    expect(await resolver.resolve4('app.test')).to.deep.include({ addresses: ['127.0.0.20'], fromCache: false });
  });

  it('with a fixed time, pins the answer past its TTL; clear() forgets it', async () => {
    zone.ttl = 0;
    const resolver = createResolver({ nameservers: [nameserver], ttl: { fixedMs: 60_000 } });
    await resolver.resolve4('app.test');
    zone.app = ['127.0.0.20'];
    expect(await resolver.resolve4('app.test')).to.deep.include({ addresses: ['127.0.0.10'], fromCache: true });
    resolver.clear();
    expect((await resolver.resolve4('app.test')).addresses).to.deep.equal(['127.0.0.20']);
  });

  it('answers IP literals and localhost without asking DNS', async () => {
    const resolver = createResolver({ nameservers: [nameserver], ttl: 'honour' });
    const before = server.queries;
    expect((await resolver.resolve4('127.0.0.5')).addresses).to.deep.equal(['127.0.0.5']);
    expect((await resolver.resolve4('localhost')).addresses).to.deep.equal(['127.0.0.1']);
    expect(server.queries).to.equal(before);
  });

  it('serves net.connect-style lookups, single and all, from the same cache', async () => {
    const resolver = createResolver({ nameservers: [nameserver], ttl: 'honour' });
    const lookup = (all: boolean) => new Promise<unknown[]>((resolve, reject) => {
      resolver.lookup('app.test', { all }, (error, address, family) => (error ? reject(error) : resolve([address, family])));
    });
    expect(await lookup(false)).to.deep.equal(['127.0.0.10', 4]);
    zone.app = ['127.0.0.20'];
    expect(await lookup(true)).to.deep.equal([[{ address: '127.0.0.10', family: 4 }], undefined]);
  });

  it('fails a lookup of a missing name with ENOTFOUND', async () => {
    const resolver = createResolver({ nameservers: [nameserver], ttl: 'honour' });
    const error = await new Promise<NodeJS.ErrnoException | null>((resolve) => resolver.lookup('nope.test', {}, (e) => resolve(e)));
    expect(error?.code).to.equal('ENOTFOUND');
  });
});

describe('DNS probe and DNS answer signal', () => {
  const zone: Zone = { app: ['127.0.0.20', '127.0.0.10'], ttl: 60, broken: false };
  let server: DnsServer;
  let nameservers: string[];
  before(async () => {
    server = await startDnsServer({ host: '127.0.0.1', port: 0, answer: answerFrom(zone) });
    nameservers = [`127.0.0.1:${server.port}`];
  });
  after(() => server.close());
  afterEach(() => Object.assign(zone, { app: ['127.0.0.20', '127.0.0.10'], ttl: 60, broken: false }));

  it('probe: ok when the answer set equals the expected one, in any order', async () => {
    const probe = createDnsProbe('dns', { hostname: 'app.test', nameservers, expect: ['127.0.0.10', '127.0.0.20'] });
    expect(await sampleOnce(probe)).to.deep.equal({ ok: true, detail: { answers: ['127.0.0.10', '127.0.0.20'] } });
  });

  it('probe: not ok when the answer differs, asked fresh despite a long TTL', async () => {
    const probe = createDnsProbe('dns', { hostname: 'app.test', nameservers, expect: ['127.0.0.10', '127.0.0.20'] });
    await sampleOnce(probe);
    zone.app = ['127.0.0.20'];
    const outcome = await sampleOnce(probe);
    expect(outcome.ok).to.equal(false);
    expect(outcome.error).to.equal('expected 127.0.0.10,127.0.0.20, got 127.0.0.20');
  });

  it('probe: not ok for a missing name', async () => {
    const probe = createDnsProbe('dns', { hostname: 'gone.test', nameservers });
    expect(await sampleOnce(probe)).to.deep.include({ ok: false, error: 'ENOTFOUND' });
  });

  it('probe: refuses a bad interval with the duration hint', () => {
    const parsed = dnsProbeSettings.safeParse({ hostname: 'app.test', nameservers, interval: 'fast' });
    expect(parsed.error?.issues.map((i) => [i.path.join('.'), i.message])).to.deep.equal([['interval', `expected ${DURATION_HINT}, got "fast"`]]);
  });

  it('signal: the sorted answers, NXDOMAIN when none, a throw when the DNS fails', async () => {
    const signal = createDnsAnswerSignal('dns-answer', { hostname: 'app.test', nameservers });
    const poll = () => signal.observe({ signal: AbortSignal.timeout(2_000) });
    const healthy = await poll();
    expect(healthy.state).to.equal('127.0.0.10,127.0.0.20');
    expect(healthy.since).to.equal(undefined);
    zone.app = ['127.0.0.20'];
    expect((await poll()).state).to.equal('127.0.0.20');
    zone.app = [];
    expect((await poll()).state).to.equal('NXDOMAIN');
    zone.broken = true;
    let failure: Error | undefined;
    await poll().catch((e: Error) => { failure = e; });
    expect(failure?.message).to.match(/DNS query for app\.test failed: ESERVFAIL/);
  });

  it('signal: NXDOMAIN for a name the zone does not hold', async () => {
    const signal = createDnsAnswerSignal('dns-answer', { hostname: 'gone.test', nameservers });
    expect((await signal.observe({ signal: AbortSignal.timeout(2_000) })).state).to.equal('NXDOMAIN');
  });
});
