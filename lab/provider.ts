import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FiredrillError } from '../src/runtime/errors.js';
import { isProcessAlive } from '../src/runtime/process.js';
import type { EnvironmentProvider } from '../src/scenario/environment.js';
import { LAB_SUBNET_ARNS } from './fis-executor.js';
import { LAB_REGIONS, labEnvironment, type LabVars } from './lab.js';

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
  placeholder: () => labEnvironment(PLACEHOLDER_VARS),
};

/** What a running lab's variables look like, for validating a lab scenario while the lab is down. */
const PLACEHOLDER_VARS: LabVars = {
  appUrl: 'http://app.lab.firedrill.test:8080/', appName: 'app.lab.firedrill.test', appPort: 8080,
  primaryUrl: 'http://127.0.0.10:8080/', recoveryUrl: 'http://127.0.0.20:8080/', dns: '127.0.0.1:5353',
  proxyControl: 'http://127.0.0.1:9001/', controllerStatus: 'http://127.0.0.1:9002/status', awsEndpoint: 'http://127.0.0.1:5000',
  hostedZoneId: 'Z0PLACEHOLDER', primaryRegion: LAB_REGIONS.primary, recoveryRegion: LAB_REGIONS.recovery,
  primaryAddress: '127.0.0.10', recoveryAddress: '127.0.0.20', strategy: 'warm-standby',
  regionControl: 'http://127.0.0.1:9003/', primarySubnetArn: LAB_SUBNET_ARNS.primary,
  primaryDb: 'postgres://firedrill@127.0.0.10:5432/lab', recoveryDb: 'postgres://firedrill@127.0.0.20:5432/lab',
  replicationLinkControl: 'http://127.0.0.1:9004/', replicationHoldBack: 'http://127.0.0.1:9005/hold-back',
  backupIntervalMs: 3_000, scaleUpDelayMs: 1_500,
};
