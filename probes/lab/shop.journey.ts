import type { Page, Response } from 'playwright-core';
import { defineJourney } from '../../src/probes/journey.js';

/**
 * A customer of the lab shop: opens the page, places an order, and sees it in the list. The
 * order's item is the sample's own id, so seeing it proves this sample's write was read back.
 */
export default defineJourney({
  description: 'open the lab shop, place an order, see it listed',
  steps: [
    {
      name: 'open the shop',
      async run({ page, url }) {
        const response = await page.goto(url);
        if (!response?.ok()) throw await notOk('the shop', response, page);
        await page.getByRole('heading', { name: 'Lab shop' }).waitFor();
      },
    },
    {
      name: 'place an order',
      async run({ page, sampleId }) {
        await page.getByLabel('Item').fill(sampleId);
        const [response] = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Place order' }).click()]);
        if (!response?.ok()) throw await notOk('placing the order', response, page);
      },
    },
    {
      name: 'see the order',
      async run({ page, sampleId }) {
        await page.locator('#orders li', { hasText: sampleId }).waitFor();
      },
    },
  ],
});

/** What the page answered and, when it shows one, its alert: why the shop could not serve. */
async function notOk(what: string, response: Response | null, page: Page): Promise<Error> {
  const [alert] = await page.locator('[role=alert]').allTextContents().catch(() => []);
  return new Error(`${what} answered ${response?.status() ?? 'nothing'}${alert ? `: ${alert.trim()}` : ''}`);
}
