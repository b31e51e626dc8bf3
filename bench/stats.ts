/** Small statistics and table printing shared by the benchmarks. */

export interface Spread {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Quantiles by the nearest-rank method (p99 of 100 values is the 99th smallest); null for no values. */
export function spreadOf(values: ArrayLike<number>): Spread | null {
  const sorted = Float64Array.from(values).sort();
  if (sorted.length === 0) return null;
  const rank = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
  return { n: sorted.length, p50: rank(0.5), p95: rank(0.95), p99: rank(0.99), max: rank(1) };
}

export function ms(value: number): string {
  if (!Number.isFinite(value)) return '-';
  const abs = Math.abs(value);
  if (abs >= 10_000) return `${(value / 1000).toFixed(1)}s`;
  if (abs >= 1_000) return `${(value / 1000).toFixed(2)}s`;
  if (abs >= 100) return `${value.toFixed(0)}ms`;
  if (abs >= 10) return `${value.toFixed(1)}ms`;
  return `${value.toFixed(2)}ms`;
}

export function percent(ratio: number, digits = 1): string {
  return Number.isFinite(ratio) ? `${(ratio * 100).toFixed(digits)}%` : '-';
}

export function mb(bytes: number): string {
  return Number.isFinite(bytes) ? `${(bytes / 1_048_576).toFixed(1)} MB` : '-';
}

/** A plain-text table in the style of the drill summary: header, dashes, left-aligned columns. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
