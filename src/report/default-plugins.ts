import type { DrillPlugin } from '../runner/plugin.js';
import { awsTargetOf, type Environment } from '../scenario/environment.js';
import { metricsPlugin } from './cloudwatch-metrics.js';
import { allurePlugin } from './allure.js';
import { historyPlugin } from './history.js';
import { openHistory } from './history-config.js';
import { junitPlugin } from './junit.js';
import { chartPlugin } from './chart-plugin.js';

/**
 * What every drill gets, from the CLI and from `runScenario` alike: `junit.xml` and `timeline.svg`
 * in its folder, its signed history record (where the config's `history` says), CloudWatch metrics where the environment asks, and allure
 * results where a folder for them is given (`--allure-results`, or `FIREDRILL_ALLURE_RESULTS`).
 */
export function defaultPlugins(options: { environment: Environment; stateDir: string; allureResults?: string }): DrillPlugin[] {
  const { environment, stateDir } = options;
  const metricsRegion = environment.aws?.metricsRegion;
  const allureResults = options.allureResults ?? process.env.FIREDRILL_ALLURE_RESULTS;
  return [
    junitPlugin(),
    chartPlugin(),
    historyPlugin(openHistory(environment.history, { stateDir })),
    ...(allureResults ? [allurePlugin({ resultsDir: allureResults })] : []),
    ...(metricsRegion ? [metricsPlugin(awsTargetOf(environment, metricsRegion))] : []),
  ];
}
