import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { formatPath } from './validate.js';

/** The sections whose entries may come from a shared file. */
const SECTIONS = ['faults', 'probes', 'signals', 'steps', 'canaries'] as const;

export interface IncludedScenario {
  value: unknown;
  /** Adds to each problem about an included entry the file that entry came from. */
  annotate(problems: string[]): string[];
}

/**
 * Replaces each entry written `{ use: probes/lab/app.yaml, ...overrides }` with the entry (a
 * mapping) or entries (a list) that file defines; the overrides replace the file's keys, and
 * need a file of one entry. The path is looked up from the scenario's folder upwards, then from
 * the working directory upwards, so `probes/…` finds the project's `probes/` folder from
 * `drills/`, and from a copy of a drill elsewhere run in the project. This runs before
 * interpolation: a shared block uses `${lab.x}` like the drill itself.
 */
export function includeBlocks(raw: Record<string, unknown>, scenario: { file: string; dirs: string[] }, problems: string[]): IncludedScenario {
  const origins = new Map<string, string>();
  const value: Record<string, unknown> = { ...raw };
  for (const section of SECTIONS) {
    const list = raw[section];
    if (!Array.isArray(list) || !list.some(isUse)) continue;
    const expanded: unknown[] = [];
    list.forEach((entry, i) => {
      if (!isUse(entry)) return void expanded.push(entry);
      const where = `${scenario.file}: ${formatPath([section, i, 'use'])}`;
      const { use, ...overrides } = entry;
      const block = readBlock(use, scenario.dirs, where, problems);
      if (!block) return;
      if (block.entries.length > 1 && Object.keys(overrides).length) {
        problems.push(`${where}: ${use} defines ${block.entries.length} entries; overrides (${Object.keys(overrides).join(', ')}) need a file of one entry`);
        return;
      }
      for (const included of block.entries) {
        origins.set(formatPath([section, expanded.length]), use);
        expanded.push({ ...included, ...overrides });
      }
    });
    value[section] = expanded;
  }
  return {
    value,
    annotate: (list) => list.map((problem) => {
      const path = /^[^:]*: ([a-z]+\[\d+\])/.exec(problem)?.[1];
      const from = path === undefined ? undefined : origins.get(path);
      return from ? `${problem} (from ${from})` : problem;
    }),
  };
}

function isUse(entry: unknown): entry is { use: string } & Record<string, unknown> {
  return !!entry && typeof entry === 'object' && 'use' in entry;
}

function readBlock(use: unknown, fromDirs: string[], where: string, problems: string[]): { entries: Record<string, unknown>[] } | undefined {
  if (typeof use !== 'string' || !use) {
    problems.push(`${where}: expected the path of a file of shared entries, like "probes/lab/app.yaml", got ${JSON.stringify(use)}`);
    return undefined;
  }
  const dirs = [...new Set(fromDirs.map((dir) => resolve(dir)))];
  const path = dirs.map((dir) => findUpwards(use, dir)).find((found) => found !== undefined);
  if (!path) {
    problems.push(`${where}: ${use}: no such file in ${dirs.join(' or ')}, or any folder above`);
    return undefined;
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    problems.push(`${where}: ${use}: cannot read it: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    return undefined;
  }
  let content: unknown;
  try {
    content = parseYaml(text, { uniqueKeys: true });
  } catch (error) {
    problems.push(`${where}: ${use}: not valid YAML: ${(error as Error).message.split('\n')[0]}`);
    return undefined;
  }
  const entries = Array.isArray(content) ? content : [content];
  const bad = entries.findIndex((e) => !e || typeof e !== 'object' || Array.isArray(e) || 'use' in e);
  if (bad >= 0 || entries.length === 0) {
    problems.push(`${where}: ${use}: expected an entry (a mapping with "name" and "kind") or a list of entries, none of which uses another file${bad >= 0 ? `; entry ${bad} is ${JSON.stringify(entries[bad])?.slice(0, 60)}` : ''}`);
    return undefined;
  }
  return { entries: entries as Record<string, unknown>[] };
}

function findUpwards(path: string, fromDir: string): string | undefined {
  if (isAbsolute(path)) return existsSync(path) ? path : undefined;
  for (let dir = resolve(fromDir); ; dir = dirname(dir)) {
    if (existsSync(join(dir, path))) return join(dir, path);
    if (dirname(dir) === dir) return undefined;
  }
}
