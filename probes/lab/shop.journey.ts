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
        if (!response?.ok()) throw new Error(`the shop answered ${response?.status() ?? 'nothing'}`);
        await page.getByRole('heading', { name: 'Lab shop' }).waitFor();
      },
    },
    {
      name: 'place an order',
      async run({ page, sampleId }) {
        await page.getByLabel('Item').fill(sampleId);
        const [response] = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Place order' }).click()]);
        if (!response?.ok()) throw new Error(`placing the order answered ${response?.status() ?? 'nothing'}`);
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
