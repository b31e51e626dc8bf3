import { formatDuration } from '../core/duration.js';
import type { Measurement } from '../core/measurement.js';
import type { MeasurementName } from '../core/measurements.js';
import { formatBudget, formatMeasurement, TARGET_MEASUREMENTS, type TargetName } from '../core/verdicts.js';
import type { DrillResult } from '../runner/result.js';

/** The closing table: each measurement ± its uncertainty against its target, then the verdict. */
const ROWS: { label: string; name: TargetName }[] = [
  { label: 'detection', name: 'detection' },
  { label: 'decision', name: 'decision' },
  { label: 'failover', name: 'failover' },
  { label: 'RTO', name: 'rto' },
  { label: 'RPO', name: 'rpo' },
  { label: 'lost writes', name: 'lostWrites' },
  { label: 'availability', name: 'availability' },
];

function cell(name: TargetName, m: Measurement | null): string {
  return m ? formatMeasurement(name as TargetName | MeasurementName, m) : 'not measured';
}

export function renderSummary(result: DrillResult): string {
  const lines: string[] = [];
  const verdictOf = (name: TargetName) => result.verdicts.find((v) => v.target === name);
  const table = ROWS.map(({ label, name }) => {
    const verdict = verdictOf(name);
    const measured = result.measurements[TARGET_MEASUREMENTS[name]];
    return [label, cell(name, measured), verdict ? formatBudget(name, verdict.budget) : '-', verdict ? verdict.status.toUpperCase() : ''];
  }).filter((row, i) => row[3] || result.measurements[TARGET_MEASUREMENTS[ROWS[i]!.name]]);
  const header = ['measurement', 'measured (bounds, ±uncertainty)', 'target', 'verdict'];
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
  const fmt = (row: string[]) => row.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  lines.push('', `drill ${result.drillId} — ${result.outcome.toUpperCase()} (scenario ${result.scenario.name}, environment ${result.environment})`);
  if (result.aborted) lines.push(`aborted: ${result.aborted.reason.split('\n')[0]}`);
  lines.push('', fmt(header), fmt(widths.map((w) => '-'.repeat(w))), ...table.map(fmt));
  for (const check of result.checks.filter((c) => !c.ok)) lines.push(`check failed: ${check.name}: ${check.detail}`);
  for (const f of [...result.faults, ...result.steps]) {
    const state = f.verified ? 'reverted and verified' : f.injectedAt ? `NOT VERIFIED REVERTED${f.error ? `: ${f.error}` : ''}` : `not injected${f.error ? `: ${f.error}` : ''}`;
    lines.push(`${f.kind} ${f.name}: ${state}`);
  }
  const breached = result.verdicts.filter((v) => v.status !== 'pass');
  if (breached.length) lines.push('', `breached: ${breached.map((v) => `${v.target} ${v.status === 'inconclusive' ? '(not measured)' : `${v.judged !== null && v.target !== 'availability' && v.target !== 'lostWrites' ? formatDuration(v.judged) : v.judged} ${formatBudget(v.target, v.budget).replace('<=', '>').replace('>=', '<')}`}`).join(', ')}`);
  return lines.join('\n');
}
