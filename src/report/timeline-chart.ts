import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';
import { formatDuration } from '../core/duration.js';
import type { Instant, Measurement } from '../core/measurement.js';
import type { ProbeSamples } from '../core/sample-store.js';
import type { RecordedTimeline, SignalEvent } from '../core/timeline.js';
import { formatBudget, TARGETS, type TargetName } from '../core/targets.js';
import type { DrillResult } from '../runner/result.js';
import { escapeHtml } from './html.js';

/**
 * The drill's timeline as one SVG, drawn without a browser (Plot on linkedom's DOM): a lane per
 * probe (latency of each sample, failures as crosses), a lane per signal (its states as labelled
 * bars), the budget of each time target against what was measured, and the milestones as dashed
 * rules with their uncertainty as shaded spans. Black, white and grays only, with shapes and
 * labels carrying the meaning, so it reads in print and in grayscale. Drills and reports load
 * this module only to draw (`drawTimelineChart` in `chart-plugin.ts`).
 */

const WIDTH = 960;
const MARGIN_LEFT = 170;
const MARGIN_RIGHT = 150;
const FONT = 'font-family="Helvetica, Arial, sans-serif"';
const MILESTONES = [
  { key: 'fault', label: 'T_fault' },
  { key: 'detect', label: 'T_detect' },
  { key: 'decide', label: 'T_decide' },
  { key: 'recovered', label: 'T_recovered' },
] as const;
/** Each time target, measured from which milestone to which. */
const TIME_TARGETS: { name: TargetName; from: keyof DrillResult['milestones']; to: keyof DrillResult['milestones'] }[] = [
  { name: 'detection', from: 'fault', to: 'detect' },
  { name: 'decision', from: 'detect', to: 'decide' },
  { name: 'failover', from: 'decide', to: 'recovered' },
  { name: 'rto', from: 'fault', to: 'recovered' },
];
const REGION_SYMBOLS = ['circle', 'square', 'triangle', 'diamond'] as const;
/** Each mark's outline around its centre, as Plot (d3) draws its symbols: of the area of a circle of radius 2.6, a ✕ of radius 3.5. */
const SYMBOL_PATHS: Record<(typeof REGION_SYMBOLS)[number] | 'times', string> = symbolPaths(2.6, 3.5);
/** More marks than pixels says nothing more: a long drill's lane shows, per slice of time, its slowest ok and slowest failed sample. */
const MAX_SLICES_PER_LANE = 600;

interface Marker { label: string; at: Instant }
interface Panel { svg: string; height: number }
/** Where a panel's scales put a time and a value, in pixels. */
interface PanelScales { x: (t: number) => number; y: (value: number) => number }
/** A panel's Plot options, and what it draws itself on top with the panel's scales. */
interface PanelDrawing { options: Plot.PlotOptions; overlay?: (scales: PanelScales) => string }

export function renderTimelineChart(result: DrillResult, timeline: RecordedTimeline): string {
  const { events, samples } = timeline;
  const anchor = Date.parse(result.clockAnchor);
  const date = (t: number) => new Date(anchor + t);
  const endT = [...events.map((e) => e.t), ...result.phases.map((p) => p.end ?? p.start), ...samples.probes().map((p) => lastT(samples.of(p)!))].reduce((a, b) => Math.max(a, b), 0);
  const x = { type: 'utc' as const, domain: [date(0), date(endT)], label: null, axis: null, tickFormat: (d: Date) => d.toISOString().slice(11, 19) };
  const markers: Marker[] = MILESTONES.flatMap(({ key, label }) => (result.milestones[key] ? [{ label, at: result.milestones[key]! }] : []));
  const markerMarks = [
    Plot.rectX(markers, { x1: (m: Marker) => date(m.at.lower), x2: (m: Marker) => date(Math.max(m.at.upper, m.at.lower + 1)), fill: '#000', fillOpacity: 0.12 }),
    Plot.ruleX(markers, { x: (m: Marker) => date(m.at.t), stroke: '#000', strokeDasharray: '4,3' }),
  ];
  const plot = (height: number, options: Plot.PlotOptions, overlay?: PanelDrawing['overlay']): Panel => {
    const figure = Plot.plot({ document: newDocument(), width: WIDTH, height, marginLeft: MARGIN_LEFT, marginRight: MARGIN_RIGHT, style: { fontSize: '11px' }, x, ...options });
    const svg = svgOf(figure);
    return { height, svg: overlay ? svg.replace(/<\/svg>$/, `${overlay(scalesOf(figure, anchor))}</svg>`) : svg };
  };

  const panels: Panel[] = [plot(46, markerLabelPanel(markers, date)), plot(52, { x: { ...x, axis: 'top', label: 'UTC' }, y: { label: null }, marginTop: 26, marginBottom: 2, marks: [...markerMarks, ...phaseBars(result, date)] })];
  const regions = samples.regions();
  // One lane's marks at a time: an hour-long drill's lanes together are 100 × 1,200 of them.
  for (const probe of samples.probes()) {
    const lane = probePanel(probe, samples.of(probe)!, endT, regions, markerMarks);
    panels.push(plot(110, lane.options, lane.overlay));
  }
  const signals = events.filter((e): e is SignalEvent => e.kind === 'signal');
  if (signals.length) panels.push(plot(28 * new Set(signals.map((s) => s.signal)).size + 30, signalPanel(signals, endT, date, markerMarks)));
  const budgets = budgetRows(result);
  if (budgets.length) panels.push(plot(28 * budgets.length + 20, budgetPanel(budgets, date, markerMarks)));
  const axis = plot(30, { x: { ...x, axis: 'bottom', label: 'UTC' }, y: { axis: null }, marginTop: 0, marginBottom: 26, marks: [Plot.ruleY([0])] });
  panels.push(axis);

  const title = `${result.scenario.name} — drill ${result.drillId} — ${result.outcome.toUpperCase()} — ${result.startedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}`;
  const thinned = samples.probes().some((p) => isThinned(samples.of(p)!)) ? [`A lane with more samples than fit shows, per ${MAX_SLICES_PER_LANE}th of the drill, its slowest ok and slowest failed sample; the counts are of every sample.`] : [];
  const legend = [`probe lanes: latency of each sample; ${regions.map((r, i) => `${symbolGlyph(i)} served by ${r}`).join(', ')}; hollow marks are ok samples, ✕ failed ones.`, ...thinned, 'Dashed rules: milestones; gray spans around them: their uncertainty. Targets: light dashed bar = budget, dark bar = measured, ticks = its bounds.'];
  let y = 30;
  const body = panels.map((p) => { const s = p.svg.replace('<svg', `<svg y="${y}"`); y += p.height; return s; }).join('\n');
  const height = y + 12 + legend.length * 14;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" ${FONT}>
<rect width="100%" height="100%" fill="#fff"/>
<text x="10" y="20" font-size="14" font-weight="bold">${escapeHtml(title)}</text>
${body}
${legend.map((line, i) => `<text x="10" y="${y + 14 + i * 14}" font-size="10.5">${escapeHtml(line)}</text>`).join('\n')}
</svg>
`;
}

function markerLabelPanel(markers: Marker[], date: (t: number) => Date): Plot.PlotOptions {
  // Close markers (T_detect a few hundred ms after T_fault on a long drill) would overprint: stagger them.
  const sorted = [...markers].sort((a, b) => a.at.t - b.at.t);
  const rows = sorted.map((_, i) => i % 2);
  return {
    axis: null,
    y: { domain: [0, 1] },
    marks: [
      Plot.text(sorted, { x: (m: Marker) => date(m.at.t), y: (_: Marker, i: number) => (rows[i] ? 0.2 : 0.75), text: (m: Marker) => `${m.label} ${formatSpan(m.at)}`, fontWeight: 'bold', textAnchor: 'middle' }),
      Plot.ruleX(sorted, { x: (m: Marker) => date(m.at.t), y1: (_: Marker, i: number) => (rows[i] ? 0.05 : 0.55), y2: 0, stroke: '#000', strokeDasharray: '4,3' }),
    ],
  };
}

type PhaseRecord = DrillResult['phases'][number];

function phaseBars(result: DrillResult, date: (t: number) => Date): Plot.Markish[] {
  const phases = result.phases.filter((p) => p.end !== null);
  const middle = (p: PhaseRecord) => date((p.start + p.end!) / 2);
  return [
    Plot.barX(phases, { x1: (p: PhaseRecord) => date(p.start), x2: (p: PhaseRecord) => date(p.end!), y: () => 'phases', fill: (_: PhaseRecord, i: number) => (i % 2 ? '#d9d9d9' : '#f2f2f2'), stroke: '#888', insetTop: 2, insetBottom: 2 }),
    // A phase too short for its name (preflight, revert) is labelled only in the table of the report.
    Plot.text(phases.filter((p) => (p.end! - p.start) / (result.phases.at(-1)!.end ?? 1) > 0.06), { x: middle, y: () => 'phases', text: (p: PhaseRecord) => `${p.phase}${p.outcome === 'ok' ? '' : ` (${p.outcome})`}` }),
  ];
}

function lastT(own: ProbeSamples): number {
  return own.length ? own.tAt(own.length - 1) : 0;
}

function isThinned(own: ProbeSamples): boolean {
  return own.length > 2 * MAX_SLICES_PER_LANE;
}

/**
 * Every sample of a short drill; of a long one, the slowest ok and the slowest failed sample of
 * each slice of time: their indices, chosen from the columns, in time order.
 */
function slowestPerSlice(own: ProbeSamples, endT: number): number[] {
  if (!isThinned(own)) return Array.from({ length: own.length }, (_, i) => i);
  const sliceMs = Math.max(endT, 1) / MAX_SLICES_PER_LANE;
  const slowest = new Int32Array(2 * (MAX_SLICES_PER_LANE + 1)).fill(-1); // at slice × 2 + (failed ? 1 : 0)
  for (let i = 0; i < own.length; i++) {
    const key = Math.floor(own.tAt(i) / sliceMs) * 2 + (own.okAt(i) ? 0 : 1);
    const kept = slowest[key]!;
    if (kept < 0 || own.latencyAt(i) > own.latencyAt(kept)) slowest[key] = i;
  }
  return [...slowest].filter((i) => i >= 0).sort((a, b) => a - b);
}

/**
 * A probe's lane: the axes and counts through Plot, the samples' marks written straight into the
 * SVG with the lane's scales. Through Plot, each mark was a DOM node of its own: an hour-long
 * drill's 120,000 marks took over 100 MB at the drill's end.
 */
function probePanel(probe: string, own: ProbeSamples, endT: number, regions: readonly string[], markerMarks: Plot.Markish[]): PanelDrawing {
  const shown = slowestPerSlice(own, endT);
  const slowestShown = shown.reduce((max, i) => Math.max(max, own.latencyAt(i)), 0);
  return {
    options: {
      y: { label: `${probe}: latency (ms)`, domain: [0, slowestShown || 1], grid: true, nice: true },
      marks: [
        ...markerMarks,
        Plot.text([`${own.length - own.failed} ok, ${own.failed} failed`], { frameAnchor: 'top-right', dx: 140, dy: 2, textAnchor: 'end' }),
      ],
    },
    overlay: (scales) => sampleMarks(own, shown, regions, scales),
  };
}

/** Ok samples as hollow shapes (one per Region that served them), failed ones as ✕. */
function sampleMarks(own: ProbeSamples, shown: readonly number[], regions: readonly string[], { x, y }: PanelScales): string {
  const mark = (i: number, path: string) => `<path transform="translate(${x(own.tAt(i)).toFixed(1)},${y(own.latencyAt(i)).toFixed(1)})" d="${path}"/>`;
  const symbolOf = (i: number) => REGION_SYMBOLS[Math.max(0, regions.indexOf(own.regionAt(i) ?? '')) % REGION_SYMBOLS.length]!;
  const ok = shown.filter((i) => own.okAt(i)).map((i) => mark(i, SYMBOL_PATHS[symbolOf(i)])).join('');
  const failed = shown.filter((i) => !own.okAt(i)).map((i) => mark(i, SYMBOL_PATHS.times)).join('');
  return `<g stroke-width="1.5" stroke="#000" fill="#fff" aria-label="ok samples">${ok}</g><g stroke-width="1.6" stroke="#000" fill="none" aria-label="failed samples">${failed}</g>`;
}

interface SignalSpan { signal: string; state: string; from: number; to: number; shade: number }

function signalPanel(signals: SignalEvent[], endT: number, date: (t: number) => Date, markerMarks: Plot.Markish[]): Plot.PlotOptions {
  const spans: SignalSpan[] = [];
  for (const name of [...new Set(signals.map((s) => s.signal))]) {
    const changes = signals.filter((s) => s.signal === name).sort((a, b) => a.at.t - b.at.t);
    const states = [...new Set(changes.map((c) => c.state))];
    changes.forEach((c, i) => spans.push({
      signal: name, state: c.state, from: Math.max(0, c.at.t), to: changes[i + 1]?.at.t ?? endT,
      shade: c.state === 'unknown' ? 3 : /ALARM|unhealthy|fail/i.test(c.state) ? 2 : states.indexOf(c.state) % 2,
    }));
  }
  const fills = ['#f2f2f2', '#c8c8c8', '#3a3a3a', '#fff'];
  return {
    y: { label: null, domain: [...new Set(spans.map((s) => s.signal))] },
    marks: [
      Plot.barX(spans, { x1: (s: SignalSpan) => date(s.from), x2: (s: SignalSpan) => date(s.to), y: 'signal', fill: (s: SignalSpan) => fills[s.shade], stroke: '#555', insetTop: 3, insetBottom: 3 }),
      Plot.text(spans, { x: (s: SignalSpan) => date(s.from), y: 'signal', text: 'state', dx: 4, textAnchor: 'start', fill: (s: SignalSpan) => (s.shade === 2 ? '#fff' : '#000'), clip: true }),
      ...markerMarks,
    ],
  };
}

interface BudgetRow { label: string; origin: number; budget: number; measured: Measurement | null; status: string }

function budgetRows(result: DrillResult): BudgetRow[] {
  return TIME_TARGETS.flatMap(({ name, from }) => {
    const verdict = result.verdicts.find((v) => v.target === name);
    const origin = result.milestones[from];
    if (!verdict || !origin) return [];
    return [{ label: `${name} ${formatBudget(name, verdict.budget)}`, origin: origin.t, budget: verdict.budget, measured: result.measurements[TARGETS[name].measurement], status: verdict.status }];
  });
}

function budgetPanel(rows: BudgetRow[], date: (t: number) => Date, markerMarks: Plot.Markish[]): Plot.PlotOptions {
  const measured = rows.filter((r) => r.measured);
  return {
    y: { label: null, domain: rows.map((r) => r.label) },
    marks: [
      Plot.barX(rows, { x1: (r: BudgetRow) => date(r.origin), x2: (r: BudgetRow) => date(r.origin + r.budget), y: 'label', fill: '#e6e6e6', stroke: '#999', strokeDasharray: '3,2', insetTop: 2, insetBottom: 2, clip: true }),
      Plot.barX(measured, { x1: (r: BudgetRow) => date(r.origin), x2: (r: BudgetRow) => date(r.origin + r.measured!.value), y: 'label', fill: '#555', insetTop: 8, insetBottom: 8 }),
      Plot.tickX(measured, { x: (r: BudgetRow) => date(r.origin + r.measured!.lower), y: 'label', stroke: '#000', insetTop: 5, insetBottom: 5 }),
      Plot.tickX(measured, { x: (r: BudgetRow) => date(r.origin + r.measured!.upper), y: 'label', stroke: '#000', insetTop: 5, insetBottom: 5 }),
      Plot.text(rows, { frameAnchor: 'right', y: 'label', dx: 145, textAnchor: 'end', fontWeight: 'bold', text: (r: BudgetRow) => `${r.measured ? formatSpan({ t: r.measured.value, ...r.measured }, false) : 'not measured'} ${r.status.toUpperCase()}` }),
      ...markerMarks,
    ],
  };
}

function formatSpan(m: { t: number; lower: number; upper: number }, relative = true): string {
  const half = (m.upper - m.lower) / 2;
  const value = relative ? '' : formatDuration(m.t);
  return half > 0 ? `${value}${value ? ' ' : ''}±${formatDuration(half)}` : value || '(exact)';
}

function symbolGlyph(i: number): string {
  return ['○', '□', '△', '◇'][i % 4]!;
}

function symbolPaths(r: number, timesR: number): typeof SYMBOL_PATHS {
  const area = Math.PI * r * r;
  const f = (n: number) => Number(n.toFixed(2));
  const side = Math.sqrt(area);
  const triangleY = Math.sqrt(area / (3 * Math.sqrt(3))); // an equilateral triangle, centred on its centroid
  const diamondY = Math.sqrt(area * Math.sqrt(3) / 2); // a rhombus √3 times as tall as it is wide
  const diamondX = diamondY / Math.sqrt(3);
  const timesArea = Math.PI * timesR * timesR;
  const times = Math.sqrt(timesArea - Math.min(timesArea / 6, 1.7)) * 0.6189; // d3's ✕ of that area
  return {
    circle: `M${r},0A${r},${r},0,1,1,${-r},0A${r},${r},0,1,1,${r},0`,
    square: `M${f(-side / 2)},${f(-side / 2)}h${f(side)}v${f(side)}h${f(-side)}Z`,
    triangle: `M0,${f(-2 * triangleY)}L${f(Math.sqrt(3) * triangleY)},${f(triangleY)}L${f(-Math.sqrt(3) * triangleY)},${f(triangleY)}Z`,
    diamond: `M0,${f(-diamondY)}L${f(diamondX)},0L0,${f(diamondY)}L${f(-diamondX)},0Z`,
    times: `M${f(-times)},${f(-times)}L${f(times)},${f(times)}M${f(-times)},${f(times)}L${f(times)},${f(-times)}`,
  };
}

/** A rendered panel's scales, from timeline time (ms since the anchor) and value to pixels. */
function scalesOf(figure: ReturnType<typeof Plot.plot>, anchor: number): PanelScales {
  const x = figure.scale('x')!;
  const y = figure.scale('y')!;
  return { x: (t) => x.apply(new Date(anchor + t)) as number, y: (value) => y.apply(value) as number };
}

function newDocument(): Document {
  return parseHTML('<!DOCTYPE html><html><body></body></html>').document as unknown as Document;
}

function svgOf(element: Element): string {
  if (element.tagName.toLowerCase() !== 'svg') throw new Error('the chart panel rendered as a figure, not an SVG');
  return element.outerHTML;
}
