import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';

const UNITS: Record<string, number> = { B: 1, KB: 1_024, MB: 1_024 ** 2, GB: 1_024 ** 3 };

/** A size as written ("500KB", "10MB"), parsed to bytes. */
export const byteSize = z.string().transform((text, ctx) => {
  const m = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB)$/i.exec(text.trim());
  if (!m) {
    ctx.addIssue({ code: 'custom', message: `expected a size like "500KB" or "10MB", got ${JSON.stringify(text)}` });
    return z.NEVER;
  }
  return Math.round(Number(m[1]) * UNITS[m[2]!.toUpperCase()]!);
});

/** Bytes of sample evidence written so far, per drill output folder. */
const used = new Map<string, number>();

/**
 * Writes a file of evidence into a drill's folder unless it would take the drill's evidence past
 * `budgetBytes`: screenshots of a long outage must not fill the runner's disk. Answers whether
 * the file was written.
 */
export function writeEvidenceWithinBudget(outDir: string, relative: string, content: Buffer | string, budgetBytes: number): boolean {
  const size = Buffer.byteLength(content);
  const total = used.get(outDir) ?? 0;
  if (total + size > budgetBytes) return false;
  used.set(outDir, total + size);
  mkdirSync(dirname(join(outDir, relative)), { recursive: true });
  writeFileSync(join(outDir, relative), content);
  return true;
}
