import type { z } from 'zod';
import { FiredrillError, type ErrorCode } from '../runtime/errors.js';

/** One readable line per problem: `drills/az.yaml: probes[1].interval: expected …, got "fast"`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out ? `.${String(key)}` : String(key);
  return out || '(top level)';
}

/** Fields whose values are secrets: an error names them but never echoes what was written. */
const SECRET_FIELD = /authorization|cookie|password|secret|token|credential|api[-_]?key/i;

function describeIssue(issue: z.core.$ZodIssue): string {
  const secret = issue.path.some((key) => SECRET_FIELD.test(String(key)));
  const got = 'input' in issue ? ` got ${secret ? '(a value, not shown: secret field)' : JSON.stringify(issue.input) ?? 'nothing'}` : '';
  switch (issue.code) {
    case 'invalid_type': {
      // A schema's own message (a duration's hint) says more than the bare type.
      const expected = issue.message.startsWith('Invalid input') ? issue.expected : issue.message.replace(/^expected /, '');
      return issue.input === undefined ? `is required (expected ${expected})` : `expected ${expected},${got}`;
    }
    case 'unrecognized_keys':
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')},${got}`;
    default:
      return `${issue.message}${got && !issue.message.includes('got') ? `,${got}` : ''}`;
  }
}

/**
 * A value that matches no branch of a union is best explained by the branch it came closest to
 * (fewest problems): `milestones.recovered.consecutive: expected number`, not "Invalid input".
 */
function closestBranch(issue: z.core.$ZodIssue): z.core.$ZodIssue {
  if (issue.code !== 'invalid_union' || !issue.errors.length) return issue;
  const best = [...issue.errors].sort((a, b) => a.length - b.length)[0]!;
  if (best.length === 0) return issue;
  const inner = closestBranch(best[0]!);
  return { ...inner, path: [...issue.path, ...inner.path] } as z.core.$ZodIssue;
}

/** Every problem in `value` against `schema`, each prefixed with the file and the field path. */
export function problemsOf<T>(schema: z.ZodType<T>, value: unknown, where: { file: string; path?: readonly PropertyKey[] }): { value?: T; problems: string[] } {
  const parsed = schema.safeParse(value, { reportInput: true });
  if (parsed.success) return { value: parsed.data, problems: [] };
  const prefix = where.path ?? [];
  const problems = parsed.error.issues.map(closestBranch).map((issue) => {
    const path = [...prefix, ...issue.path];
    const field = issue.code === 'unrecognized_keys' && issue.keys.length === 1 ? [...path, issue.keys[0]!] : path;
    const allowed = issue.code === 'unrecognized_keys' ? keysAt(schema, value, issue.path) : undefined;
    const known = allowed?.length ? ` (allowed here: ${allowed.join(', ')})` : '';
    const nearest = allowed && issue.code === 'unrecognized_keys' && issue.keys.length === 1 ? nearestKey(issue.keys[0]!, allowed) : undefined;
    const text = issue.code === 'unrecognized_keys' && issue.keys.length === 1
      ? `unknown key${nearest ? `, did you mean "${nearest}"?` : ''}${known || ' (not part of the format; check the spelling)'}`
      : `${describeIssue(issue)}${known}`;
    return `${where.file}: ${formatPath(field)}: ${text}`;
  });
  return { problems };
}

interface SchemaDef { type: string; shape?: Record<string, z.ZodType>; element?: z.ZodType; innerType?: z.ZodType; in?: z.ZodType; options?: z.ZodType[] }
const defOf = (schema: z.ZodType): SchemaDef => (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;

/**
 * The keys the object schema at `path` allows, for an "unknown key" message. Follows objects,
 * arrays, optional / default / pipe wrappers, and of a union the object branch that has the most
 * of the keys written there; gives up (undefined) on anything else.
 */
function keysAt(schema: z.ZodType, value: unknown, path: readonly PropertyKey[]): string[] | undefined {
  const def = defOf(schema);
  switch (def.type) {
    case 'optional': case 'default': case 'nullable': case 'prefault': case 'readonly': return keysAt(def.innerType!, value, path);
    case 'pipe': return keysAt(def.in!, value, path);
    case 'array': return path.length ? keysAt(def.element!, (value as unknown[] | undefined)?.[path[0] as number], path.slice(1)) : undefined;
    case 'union': {
      const written = value && typeof value === 'object' ? Object.keys(value) : [];
      const branches = def.options!.map((o) => ({ o, keys: keysAt(o, value, []) })).filter((b) => b.keys);
      if (path.length === 0) return branches.sort((a, b) => b.keys!.filter((k) => written.includes(k)).length - a.keys!.filter((k) => written.includes(k)).length)[0]?.keys;
      for (const b of branches) {
        const inner = keysAt(b.o, value, path);
        if (inner) return inner;
      }
      return undefined;
    }
    case 'object': {
      if (path.length === 0) return Object.keys(def.shape!);
      const next = def.shape![String(path[0])];
      return next ? keysAt(next, (value as Record<string, unknown> | undefined)?.[String(path[0])], path.slice(1)) : undefined;
    }
    default: return undefined;
  }
}

/** The allowed key a misspelt one most likely meant: the fewest edits away, and few enough for a typo. */
export function nearestKey(key: string, allowed: readonly string[]): string | undefined {
  const scored = allowed.map((candidate) => ({ candidate, edits: editDistance(key.toLowerCase(), candidate.toLowerCase()) }));
  const best = scored.sort((a, b) => a.edits - b.edits)[0];
  return best && best.edits <= Math.max(2, Math.floor(key.length / 3)) ? best.candidate : undefined;
}

/** Levenshtein distance: insertions, deletions and substitutions. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
}

export function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, where: { file: string; path?: readonly PropertyKey[] }, code: ErrorCode = 'FIREDRILL_SCENARIO_INVALID'): T {
  const { value: parsed, problems } = problemsOf(schema, value, where);
  if (problems.length) throw new FiredrillError(code, `${where.file} is not a valid ${code === 'FIREDRILL_SCENARIO_INVALID' ? 'scenario' : 'configuration'}:`, problems);
  return parsed as T;
}
