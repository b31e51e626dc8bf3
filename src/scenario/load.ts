import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { FiredrillError } from '../runtime/errors.js';
import { variablesOf, type Environment } from './environment.js';
import { maxDurationOf } from './budget.js';
import { includeBlocks } from './includes.js';
import { interpolate } from './interpolate.js';
import { scenarioSchema, type ScenarioSpec } from './schema.js';
import { formatPath, problemsOf } from './validate.js';

/** The settings schemas of every adapter kind, by section: what the loader validates against. */
export type KindSchemas = Record<AdapterSection, Record<string, z.ZodType<unknown>>>;
export type AdapterSection = 'faults' | 'probes' | 'signals' | 'steps' | 'canaries';

/** Fields every entry of a section has; the rest belongs to the kind. */
export const COMMON_KEYS: Record<AdapterSection, string[]> = {
  faults: ['name', 'kind'],
  probes: ['name', 'kind', 'userFacing', 'protected'],
  signals: ['name', 'kind', 'stopWhen'],
  steps: ['name', 'kind', 'when'],
  canaries: ['name', 'kind'],
};

export interface AdapterEntry<Common> {
  name: string;
  kind: string;
  common: Common;
  /** The kind's settings as validated (durations in ms, defaults filled in). */
  settings: unknown;
  /** The kind's settings as written (after interpolation), for factories that parse their own. */
  written: Record<string, unknown>;
}

export interface LoadedScenario {
  file: string;
  sha256: string;
  spec: ScenarioSpec;
  entries: { [S in AdapterSection]: AdapterEntry<ScenarioSpec[S][number]>[] };
}

/** Reads `path`; messages name the file as the user wrote it (`label`). */
async function readScenarioSource(path: string, label: string): Promise<{ raw: unknown; sha256: string }> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new FiredrillError('FIREDRILL_USAGE', `${label}: cannot read the scenario: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  const sha256 = createHash('sha256').update(text).digest('hex');
  if (['.ts', '.mts', '.js', '.mjs'].includes(extname(path))) {
    const module = (await import(pathToFileURL(resolve(path)).href)) as { default?: unknown };
    if (!module.default) throw new FiredrillError('FIREDRILL_SCENARIO_INVALID', `${label}: expected a default export made with defineScenario({...})`);
    return { raw: module.default, sha256 };
  }
  try {
    return { raw: parseYaml(text, { uniqueKeys: true }), sha256 };
  } catch (error) {
    const message = (error as Error).message.split('\n')[0];
    throw new FiredrillError('FIREDRILL_SCENARIO_INVALID', `${label}: not valid YAML or JSON: ${message}`);
  }
}

/** Loads and validates a scenario file; `options.cwd` resolves a relative path (default: the process's). */
export async function loadScenario(file: string, env: Environment, kinds: KindSchemas, options: { cwd?: string } = {}): Promise<LoadedScenario> {
  const path = resolve(options.cwd ?? process.cwd(), file);
  const { raw, sha256 } = await readScenarioSource(path, file);
  return validateScenario(raw, { file, sha256, dirs: [dirname(path), options.cwd ?? process.cwd()] }, env, kinds);
}

/**
 * A scenario given as a value (a TypeScript drill passing its `defineScenario({...})` object),
 * validated exactly as a file's content would be. `label` stands for the file in every message.
 */
export function loadScenarioObject(raw: unknown, label: string, env: Environment, kinds: KindSchemas): LoadedScenario {
  const sha256 = createHash('sha256').update(JSON.stringify(raw) ?? '').digest('hex');
  return validateScenario(raw, { file: label, sha256, dirs: [dirname(resolve(label)), process.cwd()] }, env, kinds);
}

/** The one validation path: interpolation, the envelope, each kind's settings, cross-references. */
function validateScenario(raw: unknown, source: { file: string; sha256: string; dirs: string[] }, env: Environment, kinds: KindSchemas): LoadedScenario {
  const { file, sha256 } = source;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new FiredrillError('FIREDRILL_SCENARIO_INVALID', `${file}: expected a mapping with "scenario", "faults", "probes", "milestones", "observe" and "targets" at the top level, got ${Array.isArray(raw) ? 'a list' : JSON.stringify(raw)}`);
  }
  const problems: string[] = [];
  const included = includeBlocks(raw as Record<string, unknown>, source, problems);
  const interpolated = readReferencedFiles(interpolate(included.value, variablesOf(env), problems, file), source.dirs[0]!, env, problems, file);
  const { value: parsed, problems: shapeProblems } = problemsOf(scenarioSchema, interpolated, { file });
  problems.push(...shapeProblems);
  if (!parsed) throw new FiredrillError('FIREDRILL_SCENARIO_INVALID', `${file} is not a valid scenario:`, included.annotate(problems));

  const budget = maxDurationOf(parsed);
  if (budget.problem) problems.push(`${file}: guardrails.maxDuration: ${budget.problem}`);
  const spec: ScenarioSpec = { ...parsed, guardrails: { ...parsed.guardrails, maxDuration: budget.ms } };
  const entries = {} as LoadedScenario['entries'];
  for (const section of Object.keys(COMMON_KEYS) as AdapterSection[]) {
    entries[section] = spec[section].map((entry, i) => validateEntry(section, entry, i, kinds, file, problems)) as never;
  }
  problems.push(...crossReferenceProblems(spec, file));
  if (problems.length) throw new FiredrillError('FIREDRILL_SCENARIO_INVALID', `${file} is not a valid scenario:`, included.annotate(problems));
  return { file, sha256, spec, entries };
}

/** An adapter setting that names a file (an FIS `templateFile`), whose content the kind validates in its place. */
const FILE_SETTING = 'templateFile';

/**
 * Puts the content of every `templateFile` (JSON or YAML, relative to the scenario's folder,
 * `${vars.x}` filled) where its name was, so that its problems name `faults[0].templateFile.roleArn`.
 */
function readReferencedFiles(scenario: unknown, dir: string, env: Environment, problems: string[], file: string): unknown {
  if (!scenario || typeof scenario !== 'object') return scenario;
  const spec = scenario as Record<string, unknown>;
  const read = (entry: unknown, path: PropertyKey[]): unknown => {
    if (!entry || typeof entry !== 'object' || typeof (entry as Record<string, unknown>)[FILE_SETTING] !== 'string') return entry;
    const named = (entry as Record<string, string>)[FILE_SETTING]!;
    const where = `${file}: ${formatPath([...path, FILE_SETTING])}`;
    let text: string;
    try {
      text = readFileSync(resolve(dir, named), 'utf8');
    } catch (error) {
      problems.push(`${where}: cannot read ${named} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
      return entry;
    }
    try {
      const content: unknown = parseYaml(text, { uniqueKeys: true });
      return { ...(entry as object), [FILE_SETTING]: interpolate(content, variablesOf(env), problems, file, [...path, FILE_SETTING]) };
    } catch (error) {
      problems.push(`${where}: ${named} is not valid JSON or YAML: ${(error as Error).message.split('\n')[0]}`);
      return entry;
    }
  };
  return Object.fromEntries(Object.entries(spec).map(([section, value]) =>
    [section, section in COMMON_KEYS && Array.isArray(value) ? value.map((entry, i) => read(entry, [section, i])) : value]));
}

function validateEntry(section: AdapterSection, entry: { name: string; kind: string } & Record<string, unknown>, index: number, kinds: KindSchemas, file: string, problems: string[]): AdapterEntry<unknown> {
  const schema = kinds[section][entry.kind];
  const common = Object.fromEntries(Object.entries(entry).filter(([k]) => COMMON_KEYS[section].includes(k)));
  const rest = Object.fromEntries(Object.entries(entry).filter(([k]) => !COMMON_KEYS[section].includes(k)));
  if (!schema) {
    const known = Object.keys(kinds[section]).join(', ') || 'none yet';
    problems.push(`${file}: ${formatPath([section, index, 'kind'])}: unknown ${section.replace(/s$/, '')} kind ${JSON.stringify(entry.kind)} (expected one of: ${known})`);
    return { name: entry.name, kind: entry.kind, common, settings: rest, written: rest };
  }
  const { value, problems: own } = problemsOf(schema, rest, { file, path: [section, index] });
  problems.push(...own);
  return { name: entry.name, kind: entry.kind, common, settings: value, written: rest };
}

function crossReferenceProblems(spec: ScenarioSpec, file: string): string[] {
  const problems: string[] = [];
  const names = (list: { name: string }[]) => new Set(list.map((e) => e.name));
  for (const section of ['faults', 'probes', 'signals', 'steps', 'canaries', 'gates'] as const) {
    const seen = new Set<string>();
    spec[section].forEach((e, i) => {
      if (seen.has(e.name)) problems.push(`${file}: ${formatPath([section, i, 'name'])}: ${JSON.stringify(e.name)} is used twice in ${section}`);
      seen.add(e.name);
    });
  }
  const probes = names(spec.probes);
  const signals = names(spec.signals);
  const needProbe = (probe: string, path: PropertyKey[]) => {
    if (!probes.has(probe)) problems.push(`${file}: ${formatPath(path)}: no probe named ${JSON.stringify(probe)} (probes: ${[...probes].join(', ')})`);
  };
  const gates = names(spec.gates);
  spec.gates.forEach((g, i) => {
    if (typeof g.before === 'string') return;
    const [section, target] = 'fault' in g.before ? ['faults', g.before.fault] as const : ['steps', g.before.step] as const;
    const known = names(spec[section]);
    if (!known.has(target)) problems.push(`${file}: gates[${i}].before.${section.slice(0, -1)}: no ${section.slice(0, -1)} named ${JSON.stringify(target)} (${section}: ${[...known].join(', ') || 'none'})`);
  });
  for (const m of ['detect', 'decide'] as const) {
    const match = spec.milestones[m];
    if (match && 'gate' in match) {
      if (!gates.has(match.gate)) problems.push(`${file}: milestones.${m}.gate: no gate named ${JSON.stringify(match.gate)} (gates: ${[...gates].join(', ') || 'none'})`);
    } else if (match && !signals.has(match.signal)) problems.push(`${file}: milestones.${m}.signal: no signal named ${JSON.stringify(match.signal)} (signals: ${[...signals].join(', ') || 'none'})`);
  }
  needProbe(spec.milestones.recovered.probe, ['milestones', 'recovered', 'probe']);
  const faults = names(spec.faults);
  if (spec.milestones.fault !== undefined && !faults.has(spec.milestones.fault)) problems.push(`${file}: milestones.fault: no fault named ${JSON.stringify(spec.milestones.fault)} (faults: ${[...faults].join(', ')})`);
  for (const signal of Object.keys(spec.steadyState.signals)) {
    if (!signals.has(signal)) problems.push(`${file}: steadyState.signals.${signal}: no signal named ${JSON.stringify(signal)} (signals: ${[...signals].join(', ') || 'none'})`);
  }
  spec.guardrails.maxErrorRate.forEach((bound, i) => needProbe(bound.probe, ['guardrails', 'maxErrorRate', i, 'probe']));
  if (spec.verify.noFailback) needProbe(spec.verify.noFailback.probe, ['verify', 'noFailback', 'probe']);
  return problems;
}
