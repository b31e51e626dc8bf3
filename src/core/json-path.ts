import { z } from 'zod';

/**
 * Dotted paths into parsed JSON: `a.b.0.c` walks objects by key and arrays by index;
 * `$` or an empty path is the whole value. A step that does not exist yields undefined.
 */
export function readJsonPath(value: unknown, path: string): unknown {
  const trimmed = path.trim();
  if (trimmed === '' || trimmed === '$') return value;
  const steps = (trimmed.startsWith('$.') ? trimmed.slice(2) : trimmed).split('.');
  let current = value;
  for (const step of steps) {
    if (Array.isArray(current)) {
      if (!/^\d+$/.test(step)) return undefined;
      current = current[Number(step)];
    } else if (current !== null && typeof current === 'object' && Object.hasOwn(current, step)) {
      current = (current as Record<string, unknown>)[step];
    } else {
      return undefined;
    }
  }
  return current;
}

const scalar = z.union([z.string(), z.number(), z.boolean()]);

/** A test on one field of a JSON document; every test given must hold. */
export const jsonConditionSchema = z.strictObject({
  path: z.string(),
  equals: z.union([scalar, z.null()]).optional(),
  in: z.array(scalar).min(1).optional(),
  exists: z.boolean().optional(),
});

export type JsonCondition = z.infer<typeof jsonConditionSchema>;

/**
 * `exists: false` holds for a missing field; `equals: null` needs the field present and null.
 * A condition with only a path asks that the field exists.
 */
export function matchesCondition(value: unknown, cond: JsonCondition): boolean {
  const found = readJsonPath(value, cond.path);
  const exists = cond.exists ?? (cond.equals === undefined && cond.in === undefined ? true : undefined);
  if (exists !== undefined && (found !== undefined) !== exists) return false;
  if (cond.equals !== undefined && found !== cond.equals) return false;
  if (cond.in !== undefined && !cond.in.some((option) => option === found)) return false;
  return true;
}
