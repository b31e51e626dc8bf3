import chromium from '@sparticuz/chromium';
import { chromium as playwright, type Browser } from 'playwright-core';

/**
 * Headless Chromium from @sparticuz/chromium (unpacked to /tmp on first use), driven by
 * playwright-core: for the PDF report and for looking at pages as a reader would. Its default
 * arguments switch off web security and allow insecure content: a report opened here must not
 * be able to reach anything, so those go, and so does single-process mode (only printing a
 * PDF tolerates it).
 */
const UNSAFE_ARGS = new Set(['--disable-web-security', '--allow-running-insecure-content', '--single-process']);

export async function launchChromium(): Promise<Browser> {
  return playwright.launch({
    executablePath: await chromium.executablePath(),
    args: chromium.args.filter((arg) => !UNSAFE_ARGS.has(arg)),
    headless: true,
  });
}
