import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { DrillResult } from '../runner/result.js';
import { FiredrillError } from '../runtime/errors.js';

/**
 * A framework's control mapping, one YAML file per framework under `reports/frameworks/`: data,
 * not code, so a compliance team adds a framework without touching firedrill. A drill evidences
 * a control when every result field the control names in `evidencedBy` holds something (not
 * null, not an empty list) and the drill did not error (a broken harness is not evidence).
 */
export interface Control {
  id: string;
  title: string;
  wording: string;
  evidencedBy: string[];
}

export interface Framework {
  framework: string;
  name: string;
  controls: Control[];
  file: string;
}

/** The result fields a mapping may name. */
export const EVIDENCE_FIELDS = ['faults', 'steps', 'verdicts', 'checks', 'milestones.detect', 'milestones.decide', 'milestones.recovered',
  'measurements.detectionMs', 'measurements.decisionMs', 'measurements.failoverMs', 'measurements.rtoMs', 'measurements.rpoMs', 'measurements.lostWrites', 'measurements.availability'] as const;

export function loadFrameworks(dir: string, only?: readonly string[]): Framework[] {
  if (!existsSync(dir)) throw new FiredrillError('FIREDRILL_USAGE', `${dir}: no framework mappings folder`);
  const all = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => loadFramework(join(dir, f)));
  if (!only?.length) return all;
  const unknown = only.filter((id) => !all.some((f) => f.framework === id));
  if (unknown.length) throw new FiredrillError('FIREDRILL_USAGE', `--framework: expected one of ${all.map((f) => f.framework).join(', ')} (files in ${dir}), got ${unknown.map((u) => JSON.stringify(u)).join(', ')}`);
  return all.filter((f) => only.includes(f.framework));
}

export function loadFramework(file: string): Framework {
  const problems: string[] = [];
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new FiredrillError('FIREDRILL_USAGE', `${file}: expected a framework mapping (YAML), got invalid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  const d = (doc ?? {}) as Record<string, unknown>;
  const text = (value: unknown, field: string) => {
    if (typeof value !== 'string' || !value.trim()) problems.push(`${file}: ${field}: expected a non-empty string, got ${JSON.stringify(value)}`);
    return String(value ?? '');
  };
  const framework = text(d.framework, 'framework');
  const name = text(d.name, 'name');
  if (!Array.isArray(d.controls) || d.controls.length === 0) problems.push(`${file}: controls: expected a list of controls, got ${JSON.stringify(d.controls)}`);
  const controls = (Array.isArray(d.controls) ? d.controls : []).map((raw: Record<string, unknown>, i: number) => {
    const evidencedBy = Array.isArray(raw?.evidencedBy) ? raw.evidencedBy.map(String) : [];
    if (evidencedBy.length === 0) problems.push(`${file}: controls[${i}].evidencedBy: expected a list of result fields, got ${JSON.stringify(raw?.evidencedBy)}`);
    for (const [j, field] of evidencedBy.entries()) {
      if (!(EVIDENCE_FIELDS as readonly string[]).includes(field)) problems.push(`${file}: controls[${i}].evidencedBy[${j}]: expected one of ${EVIDENCE_FIELDS.join(', ')}, got ${JSON.stringify(field)}`);
    }
    return { id: text(raw?.id, `controls[${i}].id`), title: text(raw?.title, `controls[${i}].title`), wording: text(raw?.wording, `controls[${i}].wording`), evidencedBy };
  });
  if (problems.length) throw new FiredrillError('FIREDRILL_USAGE', `${file}: invalid framework mapping`, problems);
  return { framework, name, controls, file };
}

export function evidences(control: Control, result: DrillResult): boolean {
  if (result.outcome === 'errored') return false;
  return control.evidencedBy.every((field) => {
    const value = field.split('.').reduce<unknown>((v, key) => (v as Record<string, unknown> | null)?.[key], result);
    return value !== null && value !== undefined && !(Array.isArray(value) && value.length === 0);
  });
}
