import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { labEnvironment, type LabVars } from '../lab/lab.js';
import { FiredrillError } from '../runtime/errors.js';
import { isProcessAlive } from '../runtime/process.js';
import { configPathFrom, loadEnvironments, type Environment } from '../scenario/environment.js';

/** Where firedrill itself is installed (for the emulator's virtualenv). */
export const PROJECT_DIR = resolve(fileURLToPath(new URL('../..', import.meta.url)));

export function stateDirFrom(cwd: string, explicit?: string): string {
  return resolve(cwd, explicit ?? process.env.FIREDRILL_STATE_DIR ?? '.firedrill');
}

export function labDirOf(stateDir: string): string {
  return join(stateDir, 'lab');
}

export function readLabVars(stateDir: string): LabVars | undefined {
  const file = join(labDirOf(stateDir), 'state.json');
  if (!existsSync(file)) return undefined;
  const state = JSON.parse(readFileSync(file, 'utf8')) as { pid: number; vars: LabVars };
  return isProcessAlive(state.pid) ? state.vars : undefined; // else the lab that wrote it is gone
}

/** The environment a command runs in: from the config file, or the running lab for `lab`. */
export function resolveEnvironment(name: string, options: { cwd: string; config?: string; stateDir: string }): Environment {
  const configPath = configPathFrom(options.cwd, options.config);
  const configured = loadEnvironments(configPath)[name];
  if (configured) return configured;
  if (name === 'lab') {
    const vars = readLabVars(options.stateDir);
    if (!vars) throw new FiredrillError('FIREDRILL_ENVIRONMENT_INVALID', `environment "lab": the lab is not running (no live lab in ${labDirOf(options.stateDir)}): start it with "firedrill lab up", or run "npm run demo"`);
    return labEnvironment(vars);
  }
  throw new FiredrillError('FIREDRILL_ENVIRONMENT_INVALID', `unknown environment "${name}": define it under "environments" in ${configPath}, or use "lab"`);
}

/** The `environment:` a scenario file names, read before it is validated. */
export function environmentNamedIn(file: string): string | undefined {
  if (!/\.(ya?ml|json)$/.test(file)) return undefined;
  try {
    const raw = parseYaml(readFileSync(file, 'utf8')) as { environment?: unknown } | null;
    return typeof raw?.environment === 'string' ? raw.environment : undefined;
  } catch {
    return undefined;
  }
}
