import { prepareBrowser } from '../probes/browser-pool.js';
import type { LoadedScenario } from '../scenario/load.js';

/**
 * Starts the Chromium every browser probe of `scenario` will use, before the drill samples
 * anything; resolves with what lets it go after the drill. Nothing to do without browser probes.
 */
export async function prepareBrowsersFor(scenario: LoadedScenario): Promise<() => Promise<void>> {
  const executables = new Set(scenario.entries.probes.filter((p) => p.kind === 'browser').map((p) => (p.written as { chromium?: string }).chromium));
  const leases = await Promise.all([...executables].map((chromium) => prepareBrowser(chromium)));
  return async () => {
    await Promise.all(leases.map((lease) => lease.release()));
  };
}
