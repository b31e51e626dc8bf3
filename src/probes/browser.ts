import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { BrowserContext, Page, Response } from 'playwright-core';
import { z } from 'zod';
import { durationMs } from '../scenario/fields.js';
import { journeySlots, useBrowser } from './browser-pool.js';
import { byteSize, writeEvidenceWithinBudget } from './evidence-budget.js';
import { resolveSettings } from './http.js';
import { loadJourney, type Journey } from './journey.js';
import type { Probe, ProbeContext, SampleOutcome } from './probe.js';
import { createResolver } from '../net/resolver.js';
import { startResolvingProxy, type ResolvingProxy } from './resolving-proxy.js';

/** Below this a journey's renderer would compete with the probes that time the drill. */
export const MIN_BROWSER_INTERVAL_MS = 1_000;
/** Time a failed sample may spend taking its screenshot, on top of its timeout. */
const EVIDENCE_MS = 2_000;
const MAX_LISTED = 20;

export const browserProbeSettings = z.strictObject({
  /** A `*.journey.ts` module, relative to the working directory (the project). */
  journey: z.string().min(1).refine((path) => existsSync(resolve(path)), { message: 'expected a journey module (a *.journey.ts file relative to the working directory); no such file' }),
  /** Where the journey starts; its steps get it as `url`. */
  url: z.url({ protocol: /^https?$/ }),
  interval: durationMs.default(5_000).refine((ms) => ms >= MIN_BROWSER_INTERVAL_MS, `expected at least ${MIN_BROWSER_INTERVAL_MS / 1_000}s: a browser journey is too heavy to run more often`),
  /** The whole journey's budget: a step still waiting then fails, as a user would give up. */
  timeout: durationMs.default(10_000),
  /** Which Region served the sample: a header of the main document, or the text of an element. */
  region: z.union([z.strictObject({ header: z.string().min(1) }), z.strictObject({ selector: z.string().min(1) })]).optional(),
  /** Resolve names at these nameservers through a client-side cache (through a local proxy), instead of the system's. */
  resolve: resolveSettings.optional(),
  /** A Chrome or Chromium binary; else FIREDRILL_CHROMIUM, Playwright's browsers, PATH, @sparticuz/chromium. */
  chromium: z.string().min(1).optional(),
  /** Screenshots and logs of failed samples, at most this much per drill (over all browser probes). */
  evidenceBudget: byteSize.default(10 * 1_024 * 1_024),
  vantage: z.string().min(1).optional(),
});

export type BrowserProbeSettings = z.input<typeof browserProbeSettings>;

interface StepTiming {
  step: string;
  ms: number;
  ok: boolean;
}

/** What one journey run saw; every sample that waited for it shares it. */
interface JourneyRun {
  startedAt: number;
  outcome: SampleOutcome;
}

/** What a page showed besides the journey's own steps: kept for the evidence of a failure. */
interface PageLog {
  consoleErrors: string[];
  failedRequests: { method: string; url: string; failure: string }[];
  document?: Response;
}

/**
 * A user's journey in a real browser as a probe. Each sample runs the journey's steps in a
 * fresh browser context (no cookies, cache or connections from the last one), records each
 * step's time and the step that failed, and keeps a screenshot, the console errors and the
 * failed requests of a failure as evidence. Journeys of all browser probes share a few browser
 * slots (`browserConcurrency`); a sample that finds none free waits for the next run of its own
 * probe and is recorded with how long it waited (`detail.queuedMs`), its time window widened to
 * match, never as a failure of the system.
 */
export function createBrowserProbe(name: string, settings: BrowserProbeSettings): Probe {
  const s = browserProbeSettings.parse(settings);
  const journey = loadJourney(s.journey);
  journey.catch(() => {});
  const lease = useBrowser(s.chromium);
  // One cache for the probe, as a user's machine keeps one; one proxy per run, so each sample
  // records the address its own requests went to.
  const resolver = s.resolve ? createResolver({ nameservers: s.resolve.nameservers, ttl: s.resolve.ttl, timeoutMs: s.timeout }) : undefined;
  let runs = 0;
  let waitingRun: Promise<JourneyRun> | undefined;

  async function sample(ctx: ProbeContext): Promise<SampleOutcome> {
    const calledAt = ctx.clock.now();
    const release = journeySlots.tryTake();
    let run: Promise<JourneyRun>;
    if (release) run = runJourney(release, ctx);
    else {
      // Later samples join the run already waiting for a slot rather than queue one each:
      // the wait stays under one timeout, and the queue cannot grow during an outage.
      waitingRun ??= journeySlots.take().then((taken) => {
        waitingRun = undefined;
        return runJourney(taken, ctx);
      });
      run = waitingRun;
    }
    const { startedAt, outcome } = await run;
    return release ? outcome : { ...outcome, detail: { ...outcome.detail, queuedMs: round(startedAt - calledAt) } };
  }

  async function runJourney(release: () => void, ctx: ProbeContext): Promise<JourneyRun> {
    const startedAt = ctx.clock.now();
    const seq = ++runs;
    let context: BrowserContext | undefined;
    let via: ResolvingProxy | undefined;
    try {
      // A run that waited for a slot past the drill's end has nothing left to observe.
      if (ctx.signal.aborted) return { startedAt, outcome: { ok: false, error: 'not run: the drill stopped first' } };
      const [browser, steps] = await Promise.all([lease.browser, journey]);
      via = resolver ? await startResolvingProxy(resolver) : undefined;
      context = await browser.newContext({ viewport: { width: 1024, height: 640 }, ...(via ? { proxy: { server: via.url } } : {}) });
      const opened = context;
      ctx.signal.addEventListener('abort', () => void opened.close().catch(() => {}), { once: true });
      const outcome = await walk(context, steps.steps, { seq, ctx, via });
      return { startedAt, outcome };
    } catch (error) {
      return { startedAt, outcome: { ok: false, error: `the browser could not run the journey: ${firstLine(error)}` } };
    } finally {
      await context?.close().catch(() => {});
      await via?.close();
      release();
    }
  }

  async function walk(context: BrowserContext, steps: Journey['steps'], run: { seq: number; ctx: ProbeContext; via: ResolvingProxy | undefined }): Promise<SampleOutcome> {
    const { clock } = run.ctx;
    const page = await context.newPage();
    const log = watchPage(page);
    const deadline = clock.now() + s.timeout;
    page.setDefaultTimeout(s.timeout);
    const sampleId = `${name}-${Date.now().toString(36)}-${run.seq}`;
    const timings: StepTiming[] = [];
    let failure: { step: string; error: string } | undefined;
    for (const step of steps) {
      const t0 = clock.now();
      try {
        await within(step.run({ page, url: s.url, sampleId }), deadline - t0, `no answer within the journey's ${s.timeout}ms (step "${step.name}")`);
        timings.push({ step: step.name, ms: round(clock.now() - t0), ok: true });
      } catch (error) {
        timings.push({ step: step.name, ms: round(clock.now() - t0), ok: false });
        failure = { step: step.name, error: firstLine(error) };
        break;
      }
    }
    const region = await readRegion(page, log);
    const address = run.via ? run.via.lastAddress(new URL(s.url).hostname) : undefined;
    const detail: Record<string, unknown> = { steps: timings, ...(failure ? { failedStep: failure.step } : {}), ...(address ? { address } : {}) };
    const status = log.document?.status();
    const base = { ...(status !== undefined ? { status } : {}), ...(region !== undefined ? { region } : {}) };
    if (!failure) return { ok: true, ...base, detail };
    // Stopped by the drill's end: the runner discards this sample, so it leaves no evidence either.
    if (run.ctx.signal.aborted) return { ok: false, ...base, error: `${failure.step}: ${failure.error}`, detail };
    const evidence = await keepEvidence(page, log, run.seq, failure, timings, run.ctx.outDir);
    if (evidence.dropped) detail.evidenceDropped = `over the drill's evidence budget of ${s.evidenceBudget} bytes`;
    return { ok: false, ...base, error: `${failure.step}: ${failure.error}`, detail, ...(evidence.files.length ? { evidence: evidence.files } : {}) };
  }

  async function readRegion(page: Page, log: PageLog): Promise<string | undefined> {
    if (!s.region) return undefined;
    if ('header' in s.region) return (await log.document?.allHeaders().catch(() => undefined))?.[s.region.header.toLowerCase()];
    const text = await page.locator(s.region.selector).first().textContent({ timeout: 200 }).catch(() => null);
    return text?.trim() || undefined;
  }

  async function keepEvidence(page: Page, log: PageLog, seq: number, failure: { step: string; error: string }, steps: StepTiming[], outDir: string): Promise<{ files: string[]; dropped: boolean }> {
    const stem = join('evidence', name, `${String(seq).padStart(4, '0')}-${slug(failure.step)}`);
    const files: string[] = [];
    let dropped = false;
    const keep = (relative: string, content: Buffer | string) => {
      if (writeEvidenceWithinBudget(outDir, relative, content, s.evidenceBudget)) files.push(relative);
      else dropped = true;
    };
    const screenshot = await screenshotOf(page);
    if (screenshot) keep(`${stem}.png`, screenshot);
    keep(`${stem}.json`, JSON.stringify({ probe: name, failedStep: failure.step, error: failure.error, steps, pageUrl: safeUrl(page.url()), consoleErrors: log.consoleErrors, failedRequests: log.failedRequests }, null, 2) + '\n');
    return { files, dropped };
  }

  return {
    name,
    intervalMs: s.interval,
    // A sample may wait up to one journey for a slot, then run its own, then take its screenshot.
    timeoutMs: 2 * s.timeout + EVIDENCE_MS,
    ...(s.vantage ? { vantage: s.vantage } : {}),
    sample,
    async close() {
      await lease.release();
    },
  };
}

function watchPage(page: Page): PageLog {
  const log: PageLog = { consoleErrors: [], failedRequests: [] };
  const note = <T>(list: T[], item: T) => { if (list.length < MAX_LISTED) list.push(item); };
  page.on('console', (message) => { if (message.type() === 'error') note(log.consoleErrors, message.text().slice(0, 300)); });
  page.on('pageerror', (error) => note(log.consoleErrors, firstLine(error)));
  page.on('requestfailed', (request) => note(log.failedRequests, { method: request.method(), url: safeUrl(request.url()), failure: request.failure()?.errorText ?? 'failed' }));
  page.on('response', (response) => {
    const request = response.request();
    if (response.status() >= 400) note(log.failedRequests, { method: request.method(), url: safeUrl(response.url()), failure: `HTTP ${response.status()}` });
    if (request.isNavigationRequest() && request.frame() === page.mainFrame()) log.document = response;
  });
  return log;
}

/**
 * What the user sees. A page still waiting for a navigation will not take Playwright's
 * screenshot (it waits for the page to settle), so then stop loading and ask Chromium directly.
 */
async function screenshotOf(page: Page): Promise<Buffer | undefined> {
  const shot = await page.screenshot({ timeout: EVIDENCE_MS / 2, animations: 'disabled' }).catch(() => undefined);
  if (shot) return shot;
  const direct = async () => {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Page.stopLoading');
    const { data } = await cdp.send('Page.captureScreenshot', { format: 'png' });
    return Buffer.from(data, 'base64');
  };
  return within(direct(), EVIDENCE_MS / 2, 'no screenshot').catch(() => undefined);
}

/** Gives up on `work` after `ms`; what it was doing is abandoned with its browser context. */
function within<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  work.catch(() => {});
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), Math.max(0, ms));
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** Origin and path only: a query string may carry a token. */
function safeUrl(text: string): string {
  try {
    const url = new URL(text);
    return url.origin === 'null' ? `${url.protocol}${url.pathname}` : `${url.origin}${url.pathname}`;
  } catch {
    return text.slice(0, 200);
  }
}

function firstLine(error: unknown): string {
  return (String((error as Error)?.message ?? error).split('\n')[0] ?? '').slice(0, 300);
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'step';
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
