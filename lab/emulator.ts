import { spawn, execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, waitFor } from '../src/runtime/wait.js';

/**
 * moto, the AWS API emulator, in server mode: installed from PyPI into a project-local
 * virtualenv (pinned, so every machine emulates the same AWS), started on a free loopback port
 * and stopped by PID.
 */
export const MOTO_VERSION = '5.2.5';

const run = promisify(execFile);

export function motoVenvDir(projectDir: string): string {
  return join(projectDir, '.firedrill', 'venv');
}

function motoServerBin(venv: string): string {
  return join(venv, 'bin', 'moto_server');
}

/** Installs moto into the virtualenv unless the pinned version is already there. */
export async function ensureMoto(projectDir: string, log: (line: string) => void = () => {}): Promise<string> {
  const venv = motoVenvDir(projectDir);
  const python = join(venv, 'bin', 'python');
  if (existsSync(python)) {
    const installed = await run(python, ['-c', 'import importlib.metadata as m; print(m.version("moto"))']).then((r) => r.stdout.trim(), () => '');
    if (installed === MOTO_VERSION) return motoServerBin(venv);
  }
  log(`installing moto ${MOTO_VERSION} into ${venv} (once)`);
  if (!existsSync(python)) await run('python3', ['-m', 'venv', venv]);
  await run(join(venv, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', `moto[server]==${MOTO_VERSION}`], { maxBuffer: 16 * 1024 * 1024 });
  return motoServerBin(venv);
}

export interface Emulator {
  endpoint: string;
  pid: number;
  stop(): Promise<void>;
}

export async function startMoto(options: { projectDir: string; port?: number }): Promise<Emulator> {
  const bin = motoServerBin(motoVenvDir(options.projectDir));
  if (!existsSync(bin)) throw new Error(`moto is not installed at ${bin}: run "firedrill setup" (or "npm run setup") first`);
  const port = options.port || (await freePort('127.0.0.1'));
  const child = spawn(bin, ['-H', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'ignore', 'pipe'], detached: false });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-4_000); });
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`moto_server exited with code ${code} before it answered: ${stderr.trim()}`))));
  exited.catch(() => {});
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await gone;
  };
  try {
    await Promise.race([exited, waitFor(async () => (await fetch(`${endpoint}/moto-api/`).then((r) => r.ok, () => false)), { timeoutMs: 30_000, what: `moto on port ${port}` })]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, pid: child.pid!, stop };
}

/**
 * moto advances an FIS experiment one state per GetExperiment call by default; a time-based
 * transition makes each state last `seconds`, like a real experiment that runs for a while.
 */
export async function setMotoTransition(endpoint: string, modelName: string, transition: { progression: 'time'; seconds: number } | { progression: 'manual'; times: number } | { progression: 'immediate' }): Promise<void> {
  const res = await fetch(`${endpoint}/moto-api/state-manager/set-transition`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model_name: modelName, transition }),
  });
  if (!res.ok) throw new Error(`moto set-transition for ${modelName} answered ${res.status}`);
}
