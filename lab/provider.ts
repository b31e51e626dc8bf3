import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FiredrillError } from '../src/runtime/errors.js';
import { isProcessAlive } from '../src/runtime/process.js';
import type { EnvironmentProvider } from '../src/scenario/environment.js';
import { labEnvironment, type LabVars } from './lab.js';

/** The running lab as the environment named `lab`: how the lab plugs into the harness. */
export function labDirOf(stateDir: string): string {
  return join(stateDir, 'lab');
}

export function readLabVars(stateDir: string): LabVars | undefined {
  const file = join(labDirOf(stateDir), 'state.json');
  if (!existsSync(file)) return undefined;
  const state = JSON.parse(readFileSync(file, 'utf8')) as { pid: number; vars: LabVars };
  return isProcessAlive(state.pid) ? state.vars : undefined; // else the lab that wrote it is gone
}

export const labEnvironmentProvider: EnvironmentProvider = {
  name: 'lab',
  resolve({ stateDir }) {
    const vars = readLabVars(stateDir);
    if (!vars) throw new FiredrillError('FIREDRILL_ENVIRONMENT_INVALID', `environment "lab": the lab is not running (no live lab in ${labDirOf(stateDir)}): start it with "firedrill lab up", or run "npm run demo"`);
    return labEnvironment(vars);
  },
};
