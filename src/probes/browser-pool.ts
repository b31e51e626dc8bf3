import type { Browser } from 'playwright-core';
import { findChromium } from './chromium.js';

/**
 * How many journeys run at once over every browser probe of the process. A journey takes a
 * renderer's CPU; on a small runner more of them would delay the HTTP probes that time the drill.
 * `FIREDRILL_BROWSER_CONCURRENCY` changes it.
 */
export function browserConcurrency(env: NodeJS.ProcessEnv = process.env): number {
  const wanted = Number(env.FIREDRILL_BROWSER_CONCURRENCY);
  return Number.isInteger(wanted) && wanted >= 1 ? wanted : 2;
}

/** A counting semaphore with a first-come queue. */
export class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(limit: number) {
    this.free = limit;
  }

  /** A slot now, or undefined when all are taken. */
  tryTake(): (() => void) | undefined {
    if (this.free === 0) return undefined;
    this.free--;
    return this.releaser();
  }

  take(): Promise<() => void> {
    const now = this.tryTake();
    if (now) return Promise.resolve(now);
    return new Promise((resolve) => this.waiting.push(() => resolve(this.releaser())));
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    };
  }
}

export const journeySlots = new Slots(browserConcurrency());

interface Shared {
  browser: Promise<Browser>;
  users: number;
}
const browsers = new Map<string, Shared>();

/**
 * One Chromium per executable for the whole process, launched when the first probe needs it
 * and closed when the last one lets go; each sample gets its own context in it.
 */
export function useBrowser(explicitChromium: string | undefined): { browser: Promise<Browser>; release(): Promise<void> } {
  const key = explicitChromium ?? '';
  let shared = browsers.get(key);
  if (!shared) {
    // Playwright is loaded only when a drill has a browser probe: it takes seconds to import.
    const browser = Promise.all([findChromium(explicitChromium), import('playwright-core')])
      .then(([install, { chromium }]) => chromium.launch({ executablePath: install.executablePath, args: install.args, headless: true }));
    shared = { browser, users: 0 };
    browsers.set(key, shared);
  }
  shared.users++;
  const mine = shared;
  let released = false;
  return {
    browser: mine.browser,
    async release() {
      if (released) return;
      released = true;
      if (--mine.users > 0) return;
      browsers.delete(key);
      await mine.browser.then((b) => b.close(), () => {});
    },
  };
}

/**
 * Launches the shared Chromium now and holds it until `release()`. Launching forks this process
 * (a stall of a few hundred milliseconds with a large heap on a busy runner): done before a
 * drill starts sampling, it cannot delay the samples that time the drill.
 */
export async function prepareBrowser(explicitChromium?: string): Promise<{ release(): Promise<void> }> {
  const lease = useBrowser(explicitChromium);
  try {
    await lease.browser;
  } catch (error) {
    await lease.release();
    throw error;
  }
  return lease;
}
