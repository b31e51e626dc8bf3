import { z } from 'zod';
import { DURATION_HINT, parseDuration } from '../core/duration.js';
import { parseRatio, UNIT_HINT } from '../core/targets.js';

/** A duration as written ("90s", "PT5M"), parsed to milliseconds. */
export const durationMs = z.string({ error: `expected ${DURATION_HINT}` }).transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `expected ${DURATION_HINT}, got ${JSON.stringify(text)}` });
    return z.NEVER;
  }
  return ms;
}).describe(DURATION_HINT);

/** A share written as "99.5%" or as a ratio 0..1, parsed to a ratio. */
export const ratio = z.union([z.number().min(0).max(1), z.string()]).transform((value, ctx) => {
  const parsed = parseRatio(value);
  if (parsed === undefined) {
    ctx.addIssue({ code: 'custom', message: `expected ${UNIT_HINT.ratio}, got ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  return parsed;
}).describe(UNIT_HINT.ratio);

export const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected a name of letters, digits, ".", "_" or "-"');

/** A JSON Schema key for a default that is a rule, not a value (the maximum duration's), for the field reference. */
export const DEFAULT_IN_WORDS = 'x-firedrill-default';
