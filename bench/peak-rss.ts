import { existsSync, writeFileSync } from 'node:fs';

/**
 * The process's peak resident memory (the kernel's high-water mark, `maxRSS`), which a periodic
 * read of RSS misses: a burst at a drill's end (artefacts written and hashed) lasts a second or two.
 */
export function peakRss(): number {
  return process.resourceUsage().maxRSS * 1024;
}

const CLEAR_REFS = '/proc/self/clear_refs';

/** Whether the high-water mark can be reset (Linux), so that a later stretch's own peak can be read. */
export const canResetPeakRss = existsSync(CLEAR_REFS);

/** Resets the high-water mark to the current RSS: from here on, `peakRss()` is this stretch's peak. */
export function resetPeakRss(): void {
  writeFileSync(CLEAR_REFS, '5');
}
