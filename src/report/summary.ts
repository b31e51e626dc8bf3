import { formatBreach, formatBudget, formatMeasurement, TARGET_NAMES, TARGETS } from '../core/targets.js';
import type { DrillResult } from '../runner/result.js';

/** The closing table: each measurement ± its uncertainty against its target, then the verdict. */
export function renderSummary(result: DrillResult): string {
  const lines: string[] = [];
  const table = TARGET_NAMES.flatMap((name) => {
    const verdict = result.verdicts.find((v) => v.target === name);
    const measured = result.measurements[TARGETS[name].measurement];
    if (!verdict && !measured) return [];
    return [[TARGETS[name].label, measured ? formatMeasurement(name, measured) : 'not measured', verdict ? formatBudget(name, verdict.budget) : '-', verdict ? verdict.status.toUpperCase() : '']];
  });
  const header = ['measurement', 'measured (bounds, ±uncertainty)', 'target', 'verdict'];
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i]!.length)));
  const fmt = (row: string[]) => row.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  lines.push('', `drill ${result.drillId} — ${result.outcome.toUpperCase()} (scenario ${result.scenario.name}, environment ${result.environment})`);
  if (result.aborted) lines.push(`aborted: ${result.aborted.reason.split('\n')[0]}`);
  lines.push('', fmt(header), fmt(widths.map((w) => '-'.repeat(w))), ...table.map(fmt));
  for (const check of result.checks.filter((c) => !c.ok)) lines.push(`check failed: ${check.name}: ${check.detail}`);
  for (const warning of result.warnings ?? []) lines.push(`warning: ${warning}`);
  for (const f of [...result.faults, ...result.steps]) {
    const state = f.verified ? 'reverted and verified' : f.injectedAt ? `NOT VERIFIED REVERTED${f.error ? `: ${f.error}` : ''}` : `not injected${f.error ? `: ${f.error}` : ''}`;
    lines.push(`${f.kind} ${f.name}: ${state}`);
  }
  lines.push(...gameDayLines(result.gameDay));
  const breached = result.verdicts.filter((v) => v.status !== 'pass');
  if (breached.length) {
    lines.push('', `breached: ${breached.map((v) => (v.judged === null ? `${v.target} (not measured)` : formatBreach(v.target, v.judged, v.budget))).join(', ')}`);
  }
  return lines.join('\n');
}

/** Who approved what, the corrective actions, the lessons and who signed the record. */
function gameDayLines(gameDay: DrillResult['gameDay']): string[] {
  if (!gameDay) return [];
  const actions = gameDay.notes.filter((n) => n.noteKind === 'action');
  const review = gameDay.review;
  return [
    ...gameDay.approvals.map((a) => `gate ${a.gate}: approved by ${a.by} (${a.via})`),
    ...actions.map((a) => `corrective action: ${a.message} (owner ${a.owner ?? 'none'}, due ${a.due ?? 'none'})`),
    ...(review?.lessons ?? []).map((l) => `lesson: ${l.message} (${l.author})`),
    ...(review ? [review.signOff.length
      ? `signed off by ${review.signOff.map((o) => `${o.name} (${o.role})`).join(', ')}${review.closedBy === 'sign-off' ? '' : `; review closed by ${review.closedBy}`}`
      : `review closed by ${review.closedBy}: nobody signed off`] : []),
  ];
}
