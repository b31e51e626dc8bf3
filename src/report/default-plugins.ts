import { join } from 'node:path';
import type { DrillPlugin } from '../runner/plugin.js';
import { awsTargetOf, type Environment } from '../scenario/environment.js';
import { metricsPlugin } from './cloudwatch-metrics.js';
import { historyPlugin, localHistory } from './history.js';

/** What every drill gets, from the CLI and from `runScenario` alike: its history entry, and metrics where the environment asks. */
export function defaultPlugins(options: { environment: Environment; stateDir: string }): DrillPlugin[] {
  const { environment, stateDir } = options;
  const metricsRegion = environment.aws?.metricsRegion;
  return [
    historyPlugin(localHistory(join(stateDir, 'history.ndjson'))),
    ...(metricsRegion ? [metricsPlugin(awsTargetOf(environment, metricsRegion))] : []),
  ];
}
