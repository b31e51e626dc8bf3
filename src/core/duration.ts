/**
 * Durations as people write them in scenarios.
 *
 * Grammar (case-insensitive):
 *   duration := compound | iso
 *   compound := (number unit)+          e.g. 90s, 5m, 1h30m, 1.5s, 250ms
 *   unit     := ms | s | m | h | d
 *   iso      := P[nD][T[nH][nM][n[.n]S]] e.g. PT5M, PT1H30M, PT0.5S, P1D
 * A bare number is refused: "30" could mean seconds or milliseconds.
 */
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const COMPOUND = /^(\d+(?:\.\d+)?(?:ms|s|m|h|d))+$/i;
const COMPOUND_PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gi;
const ISO = /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i;

export const DURATION_HINT = 'a duration like "500ms", "90s", "5m", "1h30m" or "PT5M"';

/** Milliseconds for a duration string, or undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const s = text.trim();
  if (COMPOUND.test(s)) {
    let ms = 0;
    for (const [, n, unit] of s.matchAll(COMPOUND_PART)) ms += Number(n) * UNIT_MS[unit!.toLowerCase()]!;
    return ms;
  }
  const iso = ISO.exec(s);
  if (iso && s.length > 1 && !/T$/i.test(s)) {
    const [, d, h, m, sec] = iso;
    return (Number(d ?? 0) * 86_400 + Number(h ?? 0) * 3_600 + Number(m ?? 0) * 60 + Number(sec ?? 0)) * 1_000;
  }
  return undefined;
}

/** A short human form: 850ms, 12.3s, 4m05s, 1h02m. Rounds first, so 119.6s reads 2m00s, not 1m60s. */
export function formatDuration(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  const a = Math.abs(ms);
  if (Math.round(a) < 1_000) return `${sign}${Math.round(a)}ms`;
  const seconds = (a / 1_000).toFixed(a < 9_995 ? 2 : 1);
  if (Number(seconds) < 60) return `${sign}${seconds}s`;
  const totalSeconds = Math.round(a / 1_000);
  if (totalSeconds < 3_600) return `${sign}${Math.floor(totalSeconds / 60)}m${String(totalSeconds % 60).padStart(2, '0')}s`;
  const totalMinutes = Math.round(a / 60_000);
  return `${sign}${Math.floor(totalMinutes / 60)}h${String(totalMinutes % 60).padStart(2, '0')}m`;
}
