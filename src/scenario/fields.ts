import { z } from 'zod';
import { DURATION_HINT, parseDuration } from '../core/duration.js';

/** A duration as written ("90s", "PT5M"), parsed to milliseconds. */
export const durationMs = z.string({ error: `expected ${DURATION_HINT}` }).transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === undefined) {
    ctx.addIssue({ code: 'custom', message: `expected ${DURATION_HINT}, got ${JSON.stringify(text)}` });
    return z.NEVER;
  }
  return ms;
});

/** A share written as "99.5%" or as a ratio 0..1, parsed to a ratio. */
export const ratio = z.union([z.number().min(0).max(1), z.string()]).transform((value, ctx) => {
  if (typeof value === 'number') return value;
  const m = /^(\d+(?:\.\d+)?)\s*%$/.exec(value.trim());
  if (!m || Number(m[1]) > 100) {
    ctx.addIssue({ code: 'custom', message: `expected a percentage like "99.5%" or a ratio from 0 to 1, got ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  return Number(m[1]) / 100;
});

export const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected a name of letters, digits, ".", "_" or "-"');
