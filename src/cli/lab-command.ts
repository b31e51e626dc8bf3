import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startLab } from '../../lab/lab.js';
import { parseStrategy } from '../../lab/strategies.js';
import { EXIT } from '../runtime/errors.js';
import { isProcessAlive } from '../runtime/process.js';
import { waitFor } from '../runtime/wait.js';
import { labDirOf, readLabVars } from '../../lab/provider.js';
import { stateDirFrom } from '../runtime/state-dir.js';
import { PROJECT_DIR } from './context.js';
import type { Io } from './io.js';

const USAGE = 'usage: firedrill lab up|down|status|failback|serve [--strategy backup-restore|pilot-light|warm-standby|active-active] [--manual] [--state-dir DIR]';

/** `firedrill lab …`: the lab runs as a background process (`serve`) that `up` starts and `down` stops by PID. */
export async function labCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options: { 'state-dir': { type: 'string' }, strategy: { type: 'string' }, manual: { type: 'boolean' } }, allowPositionals: true });
  const strategy = values.strategy ? parseStrategy(values.strategy, '--strategy') : undefined;
  const stateDir = stateDirFrom(io.cwd, values['state-dir']);
  const dir = labDirOf(stateDir);
  const stateFile = join(dir, 'state.json');
  const pidOf = () => (existsSync(stateFile) ? (JSON.parse(readFileSync(stateFile, 'utf8')) as { pid: number }).pid : undefined);

  switch (positionals[0]) {
    case 'serve': {
      const lab = await startLab({ dir, projectDir: PROJECT_DIR, ...(strategy ? { strategy } : {}), ...(values.manual ? { controller: { mode: 'manual' } } : {}) });
      io.out(`lab up: app ${lab.vars.appUrl} (DNS ${lab.vars.dns}), AWS emulator ${lab.vars.awsEndpoint}`);
      await new Promise((resolve) => { process.once('SIGTERM', resolve); process.once('SIGINT', resolve); });
      await lab.stop();
      return EXIT.passed;
    }
    case 'up': {
      if (readLabVars(stateDir)) {
        io.out(`the lab is already running (pid ${pidOf()})`);
        return EXIT.passed;
      }
      mkdirSync(dir, { recursive: true });
      const log = openSync(join(dir, 'lab.log'), 'a');
      const serveArgs = ['lab', 'serve', '--state-dir', stateDir, ...(strategy ? ['--strategy', strategy] : []), ...(values.manual ? ['--manual'] : [])];
      const child = spawn(process.execPath, [join(PROJECT_DIR, 'bin', 'firedrill.js'), ...serveArgs], { detached: true, stdio: ['ignore', log, log], cwd: io.cwd });
      closeSync(log);
      child.unref();
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      const started = waitFor(() => readLabVars(stateDir) !== undefined, { timeoutMs: 60_000, what: 'the lab to start' });
      const first = await Promise.race([started.then(() => 'up' as const), exited.then((code) => code)]);
      if (first !== 'up') {
        io.err(`the lab failed to start (exit ${first}); see ${join(dir, 'lab.log')}`);
        return EXIT.invalid;
      }
      const vars = readLabVars(stateDir)!;
      io.out(`lab up (pid ${child.pid}): app ${vars.appUrl} via DNS ${vars.dns}; blackhole control ${vars.proxyControl}; AWS emulator ${vars.awsEndpoint}`);
      return EXIT.passed;
    }
    case 'down': {
      const pid = pidOf();
      if (!pid || !isProcessAlive(pid)) {
        io.out('the lab is not running');
        return EXIT.passed;
      }
      process.kill(pid, 'SIGTERM');
      await waitFor(() => !isProcessAlive(pid), { timeoutMs: 30_000, what: `the lab (pid ${pid}) to stop` });
      io.out(`lab down (pid ${pid} stopped)`);
      return EXIT.passed;
    }
    case 'status': {
      const vars = readLabVars(stateDir);
      if (!vars) {
        io.out('the lab is not running');
        return EXIT.failed;
      }
      const controller = await fetch(vars.controllerStatus).then((r) => r.json(), (e: Error) => ({ error: e.message }));
      const proxy = await fetch(`${vars.proxyControl}/state`).then((r) => r.json(), (e: Error) => ({ error: e.message }));
      io.out(JSON.stringify({ pid: pidOf(), vars, controller, proxy }, null, 2));
      return EXIT.passed;
    }
    case 'failback': {
      const vars = readLabVars(stateDir);
      if (!vars) {
        io.err('the lab is not running');
        return EXIT.invalid;
      }
      const res = await fetch(vars.controllerStatus.replace(/\/status$/, '/failback'), { method: 'POST' });
      io.out(res.ok ? 'failback done: the PRIMARY record points at the primary Region again' : `failback failed: ${await res.text()}`);
      return res.ok ? EXIT.passed : EXIT.failed;
    }
    default:
      io.err(USAGE);
      return EXIT.invalid;
  }
}
