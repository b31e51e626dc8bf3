import { expect } from 'chai';
import { sampleOnce } from '../support/sample-once.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAppServer, type AppServer } from '../../lab/app-server.js';
import { startDnsServer, type DnsServer } from '../../lab/dns-server.js';
import { memoryShopStore, shopRoutes } from '../../lab/web-page.js';
import { browserConcurrency } from '../../src/probes/browser-pool.js';
import { browserProbeSettings, createBrowserProbe, type BrowserProbeSettings } from '../../src/probes/browser.js';
import type { Probe, SampleOutcome } from '../../src/probes/probe.js';

/*
 * The browser probe in real Chromium (found as a user's machine would: here the browser the npm
 * package @sparticuz/chromium ships) walking the lab shop's journey against real app servers.
 */
const JOURNEY = 'probes/lab/shop.journey.ts';

interface StepTiming { step: string; ms: number; ok: boolean }

describe('browser probe: a journey in real Chromium', function () {
  this.timeout(120_000);
  let dir: string;
  let east: AppServer;
  let west: AppServer;
  const probes: Probe[] = [];

  const probe = (name: string, settings: Partial<BrowserProbeSettings> = {}) => {
    const made = createBrowserProbe(name, { journey: JOURNEY, url: `http://127.0.0.1:${east.port}/shop`, timeout: '5s', region: { header: 'x-firedrill-region' }, ...settings });
    probes.push(made);
    return made;
  };
  const sample = (p: Probe, outDir = dir) => sampleOnce(p, outDir);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'firedrill-browser-'));
    east = await startAppServer({ region: 'us-east-1', host: '127.0.0.1', port: 0, routes: shopRoutes('us-east-1', memoryShopStore()) });
    west = await startAppServer({ region: 'us-west-2', host: '127.0.0.1', port: 0, routes: shopRoutes('us-west-2', memoryShopStore()) });
  });

  after(async () => {
    await Promise.all(probes.map((p) => p.close()));
    await Promise.all([east?.close(), west?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('walks every step, times each, and attributes the Region from the main document\'s header', async () => {
    const outcome = await sample(probe('shop'));
    expect(outcome.error).to.equal(undefined);
    expect(outcome.ok).to.equal(true);
    expect(outcome.status).to.equal(200);
    expect(outcome.region).to.equal('us-east-1');
    const steps = outcome.detail!.steps as StepTiming[];
    expect(steps.map((s) => s.step)).to.deep.equal(['open the shop', 'place an order', 'see the order']);
    for (const step of steps) expect(step.ok).to.equal(true), expect(step.ms).to.be.greaterThan(0);
    expect(outcome.evidence).to.equal(undefined);
  });

  it('reads the Region from text on the page', async () => {
    const outcome = await sample(probe('shop-text', { url: `http://127.0.0.1:${west.port}/shop`, region: { selector: '#region' } }));
    expect(outcome.ok).to.equal(true);
    expect(outcome.region).to.equal('us-west-2');
  });

  it('a failing step keeps a screenshot, the console errors and the failed requests, and names the step', async () => {
    east.instances = 0; // the app answers 503 to everything
    let outcome: SampleOutcome;
    try {
      outcome = await sample(probe('shop-down'));
    } finally {
      east.instances = 1;
    }
    expect(outcome.ok).to.equal(false);
    expect(outcome.status).to.equal(503);
    expect(outcome.region, 'a failed answer still says who answered').to.equal('us-east-1');
    expect(outcome.error).to.equal('open the shop: the shop answered 503');
    expect(outcome.detail!.failedStep).to.equal('open the shop');
    const [png, log] = [outcome.evidence!.find((f) => f.endsWith('.png')), outcome.evidence!.find((f) => f.endsWith('.json'))];
    expect(png, 'a screenshot').to.match(/^evidence\/shop-down\/\d{4}-open-the-shop\.png$/);
    const image = readFileSync(join(dir, png!));
    expect(image.subarray(1, 4).toString()).to.equal('PNG');
    const record = JSON.parse(readFileSync(join(dir, log!), 'utf8')) as { failedStep: string; failedRequests: { url: string; failure: string }[]; consoleErrors: string[] };
    expect(record.failedStep).to.equal('open the shop');
    expect(record.failedRequests).to.deep.include({ method: 'GET', url: `http://127.0.0.1:${east.port}/shop`, failure: 'HTTP 503' });
    expect(record.consoleErrors.join(' ')).to.match(/503/);
  });

  it('a page that cannot store the order says why in the step\'s error', async () => {
    const store = { ...memoryShopStore(), add: () => Promise.reject(new Error('timed out after 1000ms')) };
    const failing = await startAppServer({ region: 'us-east-1', host: '127.0.0.1', port: 0, routes: shopRoutes('us-east-1', store) });
    try {
      const outcome = await sample(probe('shop-no-store', { url: `http://127.0.0.1:${failing.port}/shop` }));
      expect(outcome.error).to.equal('place an order: placing the order answered 503: Orders are unavailable right now: timed out after 1000ms');
    } finally {
      await failing.close();
    }
  });

  it('a target that never answers fails at the journey\'s timeout, with the waiting step named', async () => {
    const silent = await startSilentServer();
    try {
      const p = probe('shop-hang', { url: `http://127.0.0.1:${silent.port}/shop`, timeout: '2s' });
      const outcome = await sample(p);
      expect(outcome.ok).to.equal(false);
      expect(outcome.error).to.equal('open the shop: no answer within the journey\'s 2000ms (step "open the shop")');
      const steps = outcome.detail!.steps as StepTiming[];
      expect(steps).to.have.length(1);
      expect(steps[0]!.ms).to.be.within(1_900, 2_500);
      expect(outcome.evidence!.some((f) => f.endsWith('.png'))).to.equal(true);
    } finally {
      await silent.close();
    }
  });

  it('stops keeping evidence at the drill\'s budget and says so', async () => {
    east.instances = 0;
    const budgetDir = mkdtempSync(join(dir, 'budget-'));
    let outcomes: SampleOutcome[];
    try {
      const p = probe('shop-budget', { evidenceBudget: '3KB' });
      outcomes = [await sample(p, budgetDir), await sample(p, budgetDir)];
    } finally {
      east.instances = 1;
    }
    // The first failure's JSON fits in 3 KB, its screenshot does not; nothing else fits after it.
    expect(outcomes[0]!.evidence).to.have.length(1);
    expect(outcomes[0]!.detail!.evidenceDropped).to.match(/budget of 3072 bytes/);
    expect(outcomes.every((o) => !o.ok)).to.equal(true);
  });

  it(`runs at most ${browserConcurrency()} journeys at once; a sample that found no slot waits for the next run and says how long`, async () => {
    const silent = await startSilentServer();
    try {
      const p = probe('shop-crowd', { url: `http://127.0.0.1:${silent.port}/shop`, timeout: '1500ms' });
      const outcomes = await Promise.all(Array.from({ length: 4 }, () => sample(p)));
      expect(silent.maxOpen(), 'journeys in flight at once').to.equal(browserConcurrency());
      const queued = outcomes.filter((o) => o.detail?.queuedMs !== undefined);
      expect(queued).to.have.length(4 - browserConcurrency());
      for (const o of queued) expect(o.detail!.queuedMs).to.be.at.least(1_400);
    } finally {
      await silent.close();
    }
  });

  describe('name resolution through given nameservers, honouring the TTL', () => {
    let dns: DnsServer;
    let answer = '127.0.0.1';
    before(async () => {
      dns = await startDnsServer({ host: '127.0.0.1', port: 0, answer: ({ name }) => (name === 'shop.test' ? { records: [{ type: 'A', address: answer, ttl: 0 }] } : undefined) });
    });
    after(() => dns?.close());

    it('follows a DNS switch from one Region to the other, keeping the name in the Host', async () => {
      // Both Regions on one port on two loopback addresses, like the lab: only the address changes.
      const port = east.port;
      const westSame = await startAppServer({ region: 'us-west-2', host: '127.0.0.20', port, routes: shopRoutes('us-west-2', memoryShopStore()) });
      try {
        const p = probe('shop-dns', { url: `http://shop.test:${port}/shop`, resolve: { nameservers: [`127.0.0.1:${dns.port}`], ttl: 'honour' } });
        const before = await sample(p);
        expect(before.ok, before.error).to.equal(true);
        expect(before.region).to.equal('us-east-1');
        expect(before.detail!.address).to.equal('127.0.0.1');
        answer = '127.0.0.20';
        const after = await sample(p);
        expect(after.ok, after.error).to.equal(true);
        expect(after.region).to.equal('us-west-2');
        expect(after.detail!.address).to.equal('127.0.0.20');
      } finally {
        await westSame.close();
      }
    });
  });

  describe('settings', () => {
    it('refuses an interval under 1s and a journey that does not exist', () => {
      const parsed = browserProbeSettings.safeParse({ journey: 'probes/lab/nope.journey.ts', url: 'http://x/', interval: '200ms' });
      expect(parsed.success).to.equal(false);
      const messages = parsed.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
      expect(messages).to.include('interval: expected at least 1s: a browser journey is too heavy to run more often');
      expect(messages).to.include('journey: expected a journey module (a *.journey.ts file relative to the working directory); no such file');
    });
  });
});

/** Accepts connections and never answers; counts how many requests were open at once. */
async function startSilentServer(): Promise<{ port: number; maxOpen(): number; close(): Promise<void> }> {
  let open = 0;
  let max = 0;
  const server: Server = createServer((req) => {
    open++;
    max = Math.max(max, open);
    req.socket.once('close', () => open--);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.address() as AddressInfo).port,
    maxOpen: () => max,
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
