import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/**
 * The layering rules of `docs/architecture.md`, checked on the import statements of the source
 * tree. Paths are relative to the repository root, with forward slashes.
 */
export interface SourceFile {
  path: string;
  /** Each import as written: a relative path, or a package or `node:` module. */
  imports: string[];
}

const INTERFACE_FILES = new Set(['src/faults/fault.ts', 'src/probes/probe.ts', 'src/probes/canary.ts', 'src/signals/signal.ts']);
const KIND_FOLDERS = ['src/faults/', 'src/probes/', 'src/signals/', 'src/steps/'];
const CORE_PACKAGES = new Set(['zod', 'node:perf_hooks']);

/** Each import that breaks a rule, as "file: imports target (rule)". */
export function importViolations(files: readonly SourceFile[]): string[] {
  const violations: string[] = [];
  for (const file of files) {
    for (const specifier of file.imports) {
      const target = specifier.startsWith('.') ? resolveImport(file.path, specifier) : specifier;
      const broken = ruleBroken(file.path, target, specifier.startsWith('.'));
      if (broken) violations.push(`${file.path}: imports ${target} (${broken})`);
    }
  }
  return violations;
}

function ruleBroken(from: string, target: string, isRelative: boolean): string | undefined {
  const inHarness = from.startsWith('src/');
  if (from.startsWith('src/core/') && (isRelative ? !target.startsWith('src/core/') : !CORE_PACKAGES.has(target))) {
    return 'src/core imports only src/core and no I/O';
  }
  if (inHarness && !from.startsWith('src/cli/') && target.startsWith('src/cli/')) return 'nothing under src/ imports the CLI';
  if (inHarness && !from.startsWith('src/cli/') && target.startsWith('lab/')) return 'the harness never imports the lab';
  if ((inHarness || from.startsWith('lab/')) && target.startsWith('test/')) return 'nothing ships imports the tests';
  const fromKind = KIND_FOLDERS.find((f) => from.startsWith(f));
  const targetKind = KIND_FOLDERS.find((f) => target.startsWith(f));
  if (fromKind && targetKind && fromKind !== targetKind && !INTERFACE_FILES.has(target)) {
    return 'kinds share helpers through modules of their own, not through another kind\'s file';
  }
  return undefined;
}

function resolveImport(from: string, specifier: string): string {
  return join(dirname(from), specifier).replace(/\\/g, '/').replace(/\.js$/, '.ts');
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/g;
const DYNAMIC_IMPORT = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

export function importsOf(source: string): string[] {
  return [...source.matchAll(IMPORT), ...source.matchAll(DYNAMIC_IMPORT)].map((m) => m[1]!);
}

/** Every TypeScript file under `folders` of `root`, with its imports. */
export function readSourceTree(root: string, folders: readonly string[]): SourceFile[] {
  const files: SourceFile[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (path.endsWith('.ts')) files.push({ path: relative(root, path).replace(/\\/g, '/'), imports: importsOf(readFileSync(path, 'utf8')) });
    }
  };
  for (const folder of folders) walk(resolve(root, folder));
  return files;
}
