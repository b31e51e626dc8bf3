import { formatPath } from './validate.js';

/**
 * Replaces `${a.b}` in every string of a scenario with values from `vars`. A string that is
 * nothing but one reference takes the value's own type (a port stays a number).
 */
const REFERENCE = /\$\{([A-Za-z_][\w.]*)\}/g;

export function interpolate(value: unknown, vars: Record<string, unknown>, problems: string[], file: string, path: PropertyKey[] = []): unknown {
  if (typeof value === 'string') return interpolateString(value, vars, problems, file, path);
  if (Array.isArray(value)) return value.map((item, i) => interpolate(item, vars, problems, file, [...path, i]));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, vars, problems, file, [...path, k])]));
  }
  return value;
}

function lookup(vars: Record<string, unknown>, reference: string): unknown {
  let current: unknown = vars;
  for (const part of reference.split('.')) {
    if (!current || typeof current !== 'object' || !(part in current)) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function interpolateString(text: string, vars: Record<string, unknown>, problems: string[], file: string, path: PropertyKey[]): unknown {
  const missing = (reference: string) => {
    const known = knownReferences(vars, reference).join(', ') || 'none';
    problems.push(`${file}: ${formatPath(path)}: unknown variable \${${reference}} (this environment defines: ${known})`);
  };
  const whole = /^\$\{([A-Za-z_][\w.]*)\}$/.exec(text);
  if (whole) {
    const found = lookup(vars, whole[1]!);
    if (found === undefined) missing(whole[1]!);
    return found ?? text;
  }
  return text.replace(REFERENCE, (match, reference: string) => {
    const found = lookup(vars, reference);
    if (found === undefined) {
      missing(reference);
      return match;
    }
    return String(found);
  });
}

/** The references there are in the namespace `reference` names (`vars.front, vars.admin`), else in every namespace. */
function knownReferences(vars: Record<string, unknown>, reference: string): string[] {
  const references = (namespace: string) => {
    const values = vars[namespace];
    return values && typeof values === 'object' ? Object.keys(values).map((key) => `${namespace}.${key}`) : [];
  };
  const own = references(reference.split('.')[0]!);
  return own.length ? own : Object.keys(vars).flatMap(references);
}
