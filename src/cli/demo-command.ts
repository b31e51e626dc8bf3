import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseStrategy } from '../lab/strategies.js';
import { startLab } from '../lab/lab.js';
import { prepareBrowsersFor } from '../runner/browser-warmup.js';
import { kindsFor } from '../runner/builtin-kinds.js';
import { schemasOf } from '../runner/kinds.js';
import { loadScenario } from '../scenario/load.js';
import { labDirOf, PROJECT_DIR, stateDirFrom } from './context.js';
import type { Io } from './io.js';
import { runAndReport } from './run-command.js';

/** `firedrill demo` (`npm run demo`): starts the lab, runs the lab demo drill against it, stops the lab. */
export async function demoCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: { strategy: { type: 'string' } }, allowPositionals: true });
  const stateDir = stateDirFrom(io.cwd);
  const scenarioFile = positionals[0] ?? join(PROJECT_DIR, 'drills', 'lab-demo.yaml');
  const strategy = values.strategy ? parseStrategy(values.strategy, '--strategy') : undefined;
  io.out(`starting the lab (two Regions on loopback, the AWS emulator, DNS, the failover controller${strategy ? `, ${strategy} with PostgreSQL` : ''})…`);
  const lab = await startLab({ dir: join(labDirOf(stateDir), 'demo'), projectDir: PROJECT_DIR, ...(strategy ? { strategy } : {}) });
  try {
    io.out(`lab up: ${lab.vars.appUrl} resolves through ${lab.vars.dns}; primary ${lab.vars.primaryRegion}, recovery ${lab.vars.recoveryRegion}`);
    const kinds = kindsFor(lab.environment);
    const scenario = await loadScenario(scenarioFile, lab.environment, schemasOf(kinds), { cwd: io.cwd });
    const releaseBrowsers = await prepareBrowsersFor(scenario);
    try {
      return await runAndReport({ scenario, environment: lab.environment, kinds, stateDir }, io);
    } finally {
      await releaseBrowsers();
    }
  } finally {
    await lab.stop();
  }
}
