import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { formatBudget, formatMeasurement, TARGETS } from '../core/targets.js';
import type { DrillResult } from '../runner/result.js';
import { launchChromium } from './browser.js';
import { readResult } from './drill-output.js';
import { evidences, type Framework } from './frameworks.js';
import type { HistoryRecord } from './history.js';
import { escapeHtml } from './html.js';
import type { VerifyReport } from './verify.js';

/**
 * The compliance report for an audit period: what was tested, against which objectives, with
 * what result, by whom, what deviated, which framework clauses that evidences (and which it
 * leaves without evidence), and every artefact with its SHA-256. Built from the history and the
 * results it points at; written as JSON (the data), HTML (from reports/templates) and PDF.
 */
export const COMPLIANCE_FORMAT = 'firedrill/compliance@1';

export interface ComplianceDrill {
  drillId: string;
  seq: number;
  date: string;
  scenario: string;
  scenarioFile: string;
  scenarioSha256: string;
  environment: string;
  /** The DR strategy under test; not yet recorded by the runner. */
  strategy: string | null;
  ranBy: string | null;
  outcome: DrillResult['outcome'];
  objectives: { target: string; objective: string; measured: string | null; value: number | null; lower: number | null; upper: number | null; status: string }[];
  deviations: string[];
}

export interface ComplianceReport {
  format: typeof COMPLIANCE_FORMAT;
  title: string;
  period: { from: string; to: string };
  generatedAt: string;
  tool: string;
  scope: { environments: string[]; scenarios: string[]; drills: number };
  drills: ComplianceDrill[];
  summary: { scenario: string; environment: string; drills: number; passed: number; failed: number; aborted: number; errored: number; last: string }[];
  frameworks: { framework: string; name: string; file: string; controls: { id: string; title: string; wording: string; evidencedBy: string[]; drills: string[] }[] }[];
  evidence: { drillId: string; path: string; sha256: string; bytes: number | null }[];
  integrity: { records: number; files: number; problems: string[] };
  /** What the people at the period's game days recorded (`result.json`'s `gameDay`), each row with its drill. */
  gameDay: ComplianceGameDay;
}

/** Participants, notes in time order, corrective actions (notes of kind action), lessons and sign-offs, over the period's drills. */
export interface ComplianceGameDay {
  participants: { drillId: string; name: string; role: string }[];
  notes: { drillId: string; wall: string; author: string | null; noteKind: string; message: string }[];
  correctiveActions: { drillId: string; wall: string; action: string; owner: string | null; due: string | null; raisedBy: string | null }[];
  lessons: { drillId: string; wall: string; author: string; message: string }[];
  signOff: { drillId: string; name: string; role: string; wall: string }[];
}

export interface ComplianceOptions {
  from: Date;
  /** Inclusive: the whole day when given as a date. */
  to: Date;
  frameworks: Framework[];
  tool: string;
  now?: Date;
  /** `verifyHistory` over the whole chain (sign-offs included), run by the caller. */
  integrity: VerifyReport;
  /** Results carried in the signed records, by drill id: read when a drill's `result.json` is not on this machine. */
  recordedResults?: ReadonlyMap<string, DrillResult>;
}

export function buildComplianceReport(records: readonly HistoryRecord[], options: ComplianceOptions): ComplianceReport {
  const inPeriod = records.filter((r) => Date.parse(r.startedAt) >= options.from.getTime() && Date.parse(r.startedAt) <= options.to.getTime())
    .sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt));
  const loaded = inPeriod.map((record) => ({ record, result: existsSync(record.result.path) ? readResult(record.result.path) : options.recordedResults?.get(record.drillId) ?? null }));
  const drills = loaded.map(({ record, result }) => drillOf(record, result));
  const { integrity } = options;
  const summaryKeys = [...new Set(drills.map((d) => `${d.scenario}\u0000${d.environment}`))];
  return {
    format: COMPLIANCE_FORMAT,
    title: 'Disaster-recovery test report',
    period: { from: options.from.toISOString(), to: options.to.toISOString() },
    generatedAt: (options.now ?? new Date()).toISOString(),
    tool: options.tool,
    scope: { environments: [...new Set(drills.map((d) => d.environment))], scenarios: [...new Set(drills.map((d) => d.scenario))], drills: drills.length },
    drills,
    summary: summaryKeys.map((key) => {
      const own = drills.filter((d) => `${d.scenario}\u0000${d.environment}` === key);
      const count = (o: string) => own.filter((d) => d.outcome === o).length;
      return { scenario: own[0]!.scenario, environment: own[0]!.environment, drills: own.length, passed: count('passed'), failed: count('failed'), aborted: count('aborted'), errored: count('errored'), last: own.at(-1)!.date };
    }),
    frameworks: options.frameworks.map((f) => ({
      framework: f.framework, name: f.name, file: f.file,
      controls: f.controls.map((c) => ({ ...c, drills: loaded.filter(({ result }) => result && evidences(c, result)).map(({ record }) => record.drillId) })),
    })),
    evidence: inPeriod.flatMap((r) => [
      { drillId: r.drillId, path: r.result.path, sha256: r.result.sha256, bytes: existsSync(r.result.path) ? readFileSync(r.result.path).length : null },
      ...(r.artifacts ?? []).map((a) => ({ drillId: r.drillId, path: join(dirname(r.result.path), a.path), sha256: a.sha256, bytes: a.bytes })),
    ]),
    integrity: { records: integrity.records, files: integrity.artifacts, problems: integrity.problems },
    gameDay: gameDayOf(loaded.flatMap(({ record, result }) => (result?.gameDay ? [{ drillId: record.drillId, gameDay: result.gameDay }] : []))),
  };
}

function gameDayOf(drills: { drillId: string; gameDay: NonNullable<DrillResult['gameDay']> }[]): ComplianceGameDay {
  const notes = drills.flatMap(({ drillId, gameDay }) => gameDay.notes.map((n) => ({ drillId, note: n })));
  return {
    participants: drills.flatMap(({ drillId, gameDay }) => gameDay.people.map((p) => ({ drillId, name: p.name, role: p.role }))),
    notes: notes.map(({ drillId, note }) => ({ drillId, wall: note.wall, author: note.author ?? null, noteKind: note.noteKind ?? 'observation', message: note.message })),
    correctiveActions: notes.filter(({ note }) => note.noteKind === 'action')
      .map(({ drillId, note }) => ({ drillId, wall: note.wall, action: note.message, owner: note.owner ?? null, due: note.due ?? null, raisedBy: note.author ?? null })),
    lessons: drills.flatMap(({ drillId, gameDay }) => (gameDay.review?.lessons ?? []).map((l) => ({ drillId, ...l }))),
    signOff: drills.flatMap(({ drillId, gameDay }) => (gameDay.review?.signOff ?? []).map((o) => ({ drillId, ...o }))),
  };
}

function drillOf(record: HistoryRecord, result: DrillResult | null): ComplianceDrill {
  const base = { drillId: record.drillId, seq: record.seq, date: record.startedAt, scenario: record.scenario, environment: record.environment, strategy: null, ranBy: record.ranBy ?? null, outcome: record.outcome };
  if (!result) return { ...base, scenarioFile: '', scenarioSha256: '', objectives: [], deviations: [`result.json missing: ${record.result.path}`] };
  const deviations = [
    ...(result.aborted ? [`${result.outcome}: ${result.aborted.reason.split('\n')[0]}`] : []),
    ...result.verdicts.filter((v) => v.status !== 'pass').map((v) => `${v.target} ${v.status === 'fail' ? `missed its objective (${v.source})` : 'not measured (inconclusive)'}`),
    ...result.checks.filter((c) => !c.ok).map((c) => `check failed: ${c.name}: ${c.detail}`),
    ...[...result.faults, ...result.steps].filter((f) => f.injectedAt && !f.verified).map((f) => `${f.kind} ${f.name} not verified reverted${f.error ? `: ${f.error}` : ''}`),
  ];
  return {
    ...base,
    scenarioFile: result.scenario.file,
    scenarioSha256: result.scenario.sha256,
    objectives: result.verdicts.map((v) => {
      const m = result.measurements[TARGETS[v.target].measurement];
      return { target: v.target, objective: formatBudget(v.target, v.budget), measured: m ? formatMeasurement(v.target, m) : null, value: m?.value ?? null, lower: m?.lower ?? null, upper: m?.upper ?? null, status: v.status };
    }),
    deviations,
  };
}

export function renderComplianceHtml(report: ComplianceReport, template: string): string {
  const h = escapeHtml;
  const day = (iso: string) => iso.slice(0, 19).replace('T', ' ') + ' UTC';
  const sections: Record<string, string> = {
    title: h(report.title),
    period: `${h(report.period.from.slice(0, 10))} to ${h(report.period.to.slice(0, 10))}`,
    generatedAt: h(day(report.generatedAt)),
    tool: h(report.tool),
    scope: htmlTable(['', ''], [
      ['Environments', h(report.scope.environments.join(', ') || 'none')],
      ['Scenarios', h(report.scope.scenarios.join(', ') || 'none')],
      ['Drills in the period', String(report.scope.drills)],
      ['Frameworks', h(report.frameworks.map((f) => f.name).join('; '))],
    ]).replace('<table>', '<table class="meta">'),
    summary: report.summary.length
      ? htmlTable(['scenario', 'environment', 'drills', 'passed', 'failed', 'aborted', 'errored', 'last drill'], report.summary.map((s) => [h(s.scenario), h(s.environment), String(s.drills), String(s.passed), String(s.failed), String(s.aborted), String(s.errored), h(day(s.last))]))
      : '<p class="missing">No drills in the period.</p>',
    drills: report.drills.map((d) => `<div class="drill"><h3>${h(d.scenario)} — ${h(day(d.date))} — <span class="${d.outcome === 'passed' ? 'pass' : 'fail'}">${h(d.outcome.toUpperCase())}</span></h3>
${htmlTable(['', ''], [
      ['Drill', `${h(d.drillId)} (history record ${d.seq})`],
      ['Scenario file', `${h(d.scenarioFile)} <span class="hash">sha256 ${h(d.scenarioSha256)}</span>`],
      ['Environment', h(d.environment)],
      ['DR strategy', h(d.strategy ?? 'not recorded')],
      ['Run by', h(d.ranBy ?? 'not recorded')],
    ]).replace('<table>', '<table class="meta">')}
${d.objectives.length ? htmlTable(['objective', 'target', 'measured (bounds, ±uncertainty)', 'result'], d.objectives.map((o) => [h(o.target), h(o.objective), h(o.measured ?? 'not measured'), `<span class="${o.status}">${h(o.status)}</span>`])) : ''}
<p><b>Deviations:</b> ${d.deviations.length ? `</p><ul>${d.deviations.map((x) => `<li>${h(x)}</li>`).join('')}</ul>` : 'none.</p>'}</div>`).join('\n') || '<p class="missing">No drills in the period.</p>',
    controls: report.frameworks.map((f) => {
      const unevidenced = f.controls.filter((c) => c.drills.length === 0);
      return `<h3>${h(f.name)}</h3>${htmlTable(['clause', 'requirement', 'evidenced by (result fields)', 'drills in the period'], f.controls.map((c) => [
        `<b>${h(c.id)}</b><br>${h(c.title)}`, h(c.wording), h(c.evidencedBy.join(', ')),
        c.drills.length ? h(c.drills.join(', ')) : '<span class="missing">no evidence in the period</span>',
      ]))}<p>${unevidenced.length ? `<b>Left without evidence in the period:</b> ${h(unevidenced.map((c) => c.id).join(', '))}.` : 'Every clause has evidence in the period.'}</p>`;
    }).join('\n'),
    integrity: report.integrity.problems.length
      ? `<p class="fail">Integrity: ${report.integrity.problems.length} problem(s) in the history's hash chain or artefacts:</p><ul>${report.integrity.problems.map((p) => `<li>${h(p)}</li>`).join('')}</ul>`
      : `<p>Integrity: the history's hash chain (${report.integrity.records} records) and the SHA-256 of all ${report.integrity.files} files it lists were recomputed when this report was generated, and match (<code>firedrill report verify</code>).</p>`,
    evidence: htmlTable(['drill', 'file', 'bytes', 'SHA-256'], report.evidence.map((e) => [h(e.drillId), h(e.path), e.bytes === null ? '<span class="missing">missing</span>' : String(e.bytes), `<span class="hash">${h(e.sha256)}</span>`])),
    gameDay: renderGameDay(report.gameDay, day),
  };
  return template.replace(/\{\{(\w+)\}\}/g, (match, key: string) => {
    if (!(key in sections)) throw new Error(`compliance template: unknown placeholder ${match}`);
    return sections[key]!;
  });
}

/** A table of cells that are HTML already; the head is text (all empty: no head). */
function htmlTable(head: string[], rows: string[][]): string {
  const h = escapeHtml;
  return `<table>${head.some(Boolean) ? `<thead><tr>${head.map((c) => `<th>${h(c)}</th>`).join('')}</tr></thead>` : ''}<tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

/** Each part of the game-day record as a table; a part nobody recorded keeps an empty place to fill in by hand. */
function renderGameDay(record: ComplianceGameDay, day: (iso: string) => string): string {
  const h = escapeHtml;
  const or = (text: string | null) => h(text ?? 'not recorded');
  const parts: { title: string; head: string[]; rows: string[][] }[] = [
    { title: 'Participants', head: ['drill', 'name', 'role'], rows: record.participants.map((p) => [h(p.drillId), h(p.name), h(p.role)]) },
    { title: 'Notes and observations, in time order', head: ['drill', 'time', 'author', 'kind', 'note'], rows: record.notes.map((n) => [h(n.drillId), h(day(n.wall)), or(n.author), h(n.noteKind), h(n.message)]) },
    { title: 'Corrective actions', head: ['drill', 'action', 'owner', 'due', 'raised by'], rows: record.correctiveActions.map((a) => [h(a.drillId), h(a.action), or(a.owner), or(a.due), or(a.raisedBy)]) },
    { title: 'Lessons learned', head: ['drill', 'lesson', 'author'], rows: record.lessons.map((l) => [h(l.drillId), h(l.message), h(l.author)]) },
    { title: 'Review and sign-off', head: ['drill', 'name', 'role', 'signed'], rows: record.signOff.map((o) => [h(o.drillId), h(o.name), h(o.role), h(day(o.wall))]) },
  ];
  return parts.map((p) => `<h3>${h(p.title)}</h3>${p.rows.length ? htmlTable(p.head, p.rows) : '<p class="missing">None recorded by firedrill in the period.</p><div class="placeholder">&nbsp;</div>'}`).join('\n');
}

/** Writes compliance.json, compliance.html and compliance.pdf into `outDir`; returns their paths. */
export async function writeComplianceReport(report: ComplianceReport, templateFile: string, outDir: string): Promise<{ json: string; html: string; pdf: string }> {
  mkdirSync(outDir, { recursive: true });
  const html = renderComplianceHtml(report, readFileSync(templateFile, 'utf8'));
  const files = { json: join(outDir, 'compliance.json'), html: join(outDir, 'compliance.html'), pdf: join(outDir, 'compliance.pdf') };
  writeFileSync(files.json, JSON.stringify(report, null, 2) + '\n');
  writeFileSync(files.html, html);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.setContent(html, { waitUntil: 'load' });
    await page.pdf({ path: files.pdf, format: 'A4', printBackground: true, displayHeaderFooter: true, headerTemplate: '<span></span>',
      footerTemplate: `<div style="font-size:8px;width:100%;text-align:center;font-family:Helvetica,Arial,sans-serif">${escapeHtml(report.title)}, ${escapeHtml(report.period.from.slice(0, 10))} to ${escapeHtml(report.period.to.slice(0, 10))} — page <span class="pageNumber"></span> of <span class="totalPages"></span></div>`,
      margin: { top: '16mm', bottom: '16mm', left: '14mm', right: '14mm' } });
  } finally {
    await browser.close();
  }
  return files;
}
