import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';
import { formatDuration } from '../core/duration.js';
import type { Measurement } from '../core/measurement.js';
import type { MeasurementName } from '../core/measurements.js';
import type { HistoryEntry } from './history.js';
import { escapeHtml } from './html.js';
import type { Regression } from './regressions.js';

/** `firedrill report history`: each scenario's measurements over time, as a table and as an HTML page of trend charts. */
const COLUMNS: { name: MeasurementName; label: string }[] = [
  { name: 'detectionMs', label: 'detection' },
  { name: 'decisionMs', label: 'decision' },
  { name: 'failoverMs', label: 'failover' },
  { name: 'rtoMs', label: 'RTO' },
  { name: 'rpoMs', label: 'RPO' },
  { name: 'lostWrites', label: 'lost writes' },
  { name: 'availability', label: 'availability' },
];

export function formatValue(name: MeasurementName, m: Measurement | null): string {
  if (!m) return '-';
  if (name === 'availability') return `${(m.value * 100).toFixed(1)}%`;
  if (name === 'lostWrites') return String(m.value);
  const half = (m.upper - m.lower) / 2;
  return half > 0 ? `${formatDuration(m.value)} ±${formatDuration(half)}` : formatDuration(m.value);
}

export function describeRegression(r: Regression): string {
  const label = COLUMNS.find((c) => c.name === r.measurement)!.label;
  const by = Number.isFinite(r.worseBy) ? `${Math.round(r.worseBy * 100)}% worse` : 'worse than zero';
  return `${r.scenario} (${r.environment}) ${r.drillId}: ${label} ${formatValue(r.measurement, r.measured)} vs median ${formatValue(r.measurement, r.baseline)} of the ${r.baselineRuns} runs before it (${by}, beyond both runs' uncertainty)`;
}

interface ScenarioSeries { scenario: string; environment: string; runs: HistoryEntry[] }

function seriesOf(entries: readonly HistoryEntry[]): ScenarioSeries[] {
  const map = new Map<string, ScenarioSeries>();
  for (const e of entries) {
    const key = `${e.scenario}\u0000${e.environment}`;
    if (!map.has(key)) map.set(key, { scenario: e.scenario, environment: e.environment, runs: [] });
    map.get(key)!.runs.push(e);
  }
  for (const s of map.values()) s.runs.sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
  return [...map.values()];
}

function usedColumns(runs: HistoryEntry[]) {
  return COLUMNS.filter((c) => runs.some((r) => r.measurements[c.name]));
}

function isRegressed(regressions: readonly Regression[], run: HistoryEntry, name: MeasurementName): boolean {
  return regressions.some((r) => r.drillId === run.drillId && r.measurement === name);
}

export function renderHistoryTable(entries: readonly HistoryEntry[], regressions: readonly Regression[]): string {
  if (entries.length === 0) return 'no drills in the history';
  const blocks = seriesOf(entries).map(({ scenario, environment, runs }) => {
    const columns = usedColumns(runs);
    const header = ['started (UTC)', 'drill', 'outcome', ...columns.map((c) => c.label)];
    const rows = runs.map((run) => [
      run.startedAt.slice(0, 19).replace('T', ' '), run.drillId, run.outcome,
      ...columns.map((c) => `${formatValue(c.name, run.measurements[c.name])}${isRegressed(regressions, run, c.name) ? ' !' : ''}`),
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const fmt = (row: string[]) => row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd();
    return [`scenario ${scenario} (environment ${environment}): ${runs.length} run(s)`, fmt(header), fmt(widths.map((w) => '-'.repeat(w))), ...rows.map(fmt)].join('\n');
  });
  const flagged = regressions.length ? ['regressions (marked !):', ...regressions.map((r) => `  ${describeRegression(r)}`)].join('\n') : 'no regressions';
  return [...blocks, flagged].join('\n\n');
}

export function renderHistoryHtml(entries: readonly HistoryEntry[], regressions: readonly Regression[], generatedAt: Date): string {
  const sections = seriesOf(entries).map(({ scenario, environment, runs }) => {
    const columns = usedColumns(runs);
    const charts = columns.map((c) => trendChart(c, runs, regressions)).join('\n');
    const head = ['started (UTC)', 'drill', 'outcome', ...columns.map((c) => c.label)].map((h) => `<th>${escapeHtml(h)}</th>`).join('');
    const body = runs.map((run) => `<tr><td>${escapeHtml(run.startedAt.slice(0, 19).replace('T', ' '))}</td><td>${escapeHtml(run.drillId)}</td><td class="${run.outcome}">${run.outcome}</td>${columns.map((c) => {
      const regressed = isRegressed(regressions, run, c.name);
      return `<td${regressed ? ' class="regressed"' : ''}>${escapeHtml(formatValue(c.name, run.measurements[c.name]))}${regressed ? ' ▲ regression' : ''}</td>`;
    }).join('')}</tr>`).join('\n');
    return `<section><h2>${escapeHtml(scenario)} <small>environment ${escapeHtml(environment)}, ${runs.length} run(s)</small></h2>
<div class="charts">${charts}</div>
<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></section>`;
  }).join('\n');
  const flagged = regressions.length ? `<ul class="regressions">${regressions.map((r) => `<li>${escapeHtml(describeRegression(r))}</li>`).join('')}</ul>` : '<p>No regressions.</p>';
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>firedrill history</title>
<style>body{font-family:Helvetica,Arial,sans-serif;margin:24px;color:#111}h2 small{font-weight:normal;color:#555;font-size:60%}
table{border-collapse:collapse;font-size:13px;margin:8px 0 24px}th,td{border:1px solid #999;padding:3px 8px;text-align:left}th{background:#eee}
td.regressed{font-weight:bold;background:#ddd}.charts{display:flex;flex-wrap:wrap;gap:12px}.regressions li{font-weight:bold}</style></head>
<body><h1>Drill history</h1><p>Generated ${escapeHtml(generatedAt.toISOString())}. A regression: worse than the median of the runs before it by more than the set share, beyond both runs' uncertainty. Bars show each run's bounds.</p>
<h2>Regressions</h2>${flagged}
${sections}
</body></html>
`;
}

interface Point { date: Date; value: number; lower: number; upper: number; regressed: boolean }

function trendChart(column: { name: MeasurementName; label: string }, runs: HistoryEntry[], regressions: readonly Regression[]): string {
  const scale = column.name === 'availability' ? 100 : column.name === 'lostWrites' ? 1 : 1 / 1000;
  const unit = column.name === 'availability' ? '%' : column.name === 'lostWrites' ? 'writes' : 's';
  const points: Point[] = runs.flatMap((run) => {
    const m = run.measurements[column.name];
    return m ? [{ date: new Date(run.startedAt), value: m.value * scale, lower: m.lower * scale, upper: m.upper * scale, regressed: isRegressed(regressions, run, column.name) }] : [];
  });
  const document = parseHTML('<!DOCTYPE html><html><body></body></html>').document as unknown as Document;
  const svg = Plot.plot({
    document, width: 440, height: 210, marginLeft: 50, marginRight: 40, marginTop: 28,
    x: { type: 'utc', label: null, tickFormat: (d: Date) => d.toISOString().slice(5, 16).replace('T', ' ') , ticks: 4 },
    y: { label: `${column.label} (${unit})`, grid: true, zero: true, nice: true },
    marks: [
      Plot.lineY(points, { x: 'date', y: 'value', stroke: '#777' }),
      Plot.ruleX(points, { x: 'date', y1: 'lower', y2: 'upper', stroke: '#000', strokeWidth: 2 }),
      Plot.dot(points, { x: 'date', y: 'value', fill: '#fff', stroke: '#000', r: 3 }),
      Plot.dot(points.filter((p) => p.regressed), { x: 'date', y: 'value', symbol: 'times', stroke: '#000', strokeWidth: 2.5, r: 7 }),
      Plot.text(points.filter((p) => p.regressed), { x: 'date', y: 'value', text: () => 'regression', dy: -12, fontWeight: 'bold' }),
    ],
  });
  return svg.outerHTML;
}
