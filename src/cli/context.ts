import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { labEnvironmentProvider } from '../../lab/provider.js';
import { resolveEnvironment, type Environment } from '../scenario/environment.js';

/** Where firedrill itself is installed (for the emulator's virtualenv). */
export const PROJECT_DIR = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/** The environment a CLI command runs in: from the config file, or the running lab for `lab`. */
export function environmentFor(name: string, options: { cwd: string; config?: string; stateDir: string; onNotRunning?: 'placeholder' }): Environment & { placeholder?: true } {
  return resolveEnvironment(name, { ...options, providers: [labEnvironmentProvider] });
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
