import { chromium as playwright, type Browser } from 'playwright-core';
import { findChromium } from '../probes/chromium.js';

/**
 * Headless Chromium for the PDF report and for looking at pages as a reader would, found the way
 * browser probes find it (a setting, Playwright's browsers, the system's, then the npm package;
 * never downloaded), without the package's flags that switch off web security: a report opened
 * here must not be able to reach anything.
 */
export async function launchChromium(): Promise<Browser> {
  const install = await findChromium();
  return playwright.launch({ executablePath: install.executablePath, args: install.args, headless: true });
}
