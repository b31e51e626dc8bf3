import { formatDuration } from '../core/duration.js';

/** The longest a drill may run: a drill is not a soak test (and timers cannot wait past 24.8 days). */
export const MAX_DURATION_CAP_MS = 86_400_000;
/** Beyond what the phases need, for what they do not count: preflight, injecting, reverting. */
const MARGIN_MS = 60_000;
/** The default never drops below what it was before it followed the phases. */
const MIN_DEFAULT_MS = 300_000;
export const DEFAULT_MAX_DURATION = 'what the phases need (steady state, observe timeout and settle, verify, gates) + 1m, at least 5m';

interface PhaseSettings {
  steadyState: { window: number };
  observe: { timeout: number; settle: number };
  verify: { window: number };
  gates: { name: string; timeout: number }[];
  guardrails: { maxDuration?: number | undefined };
}

/** The longest each phase may wait by the scenario's own settings, each part named as written. */
function phaseParts(spec: PhaseSettings): { part: string; ms: number }[] {
  return [
    { part: 'steadyState.window', ms: spec.steadyState.window },
    { part: 'observe.timeout', ms: spec.observe.timeout },
    { part: 'observe.settle', ms: spec.observe.settle },
    { part: 'verify.window', ms: spec.verify.window },
    ...spec.gates.map((g, i) => ({ part: `gates[${i}].timeout`, ms: g.timeout })),
  ];
}

/**
 * The maximum duration a drill runs under: the scenario's own, which must leave the phases the
 * time they ask for, else what they need plus a margin (at least 5 minutes). A problem when the
 * budget cannot hold them.
 */
export function maxDurationOf(spec: PhaseSettings): { ms: number; problem?: string } {
  const parts = phaseParts(spec);
  const needed = parts.reduce((sum, p) => sum + p.ms, 0);
  const sum = `${parts.map((p) => `${p.part} ${formatDuration(p.ms)}`).join(' + ')} = ${formatDuration(needed)}`;
  const explicit = spec.guardrails.maxDuration;
  if (explicit !== undefined) {
    return explicit < needed ? { ms: explicit, problem: `${formatDuration(explicit)} is shorter than the phases need (${sum}): the drill would be aborted before they end` } : { ms: explicit };
  }
  const ms = Math.max(MIN_DEFAULT_MS, needed + MARGIN_MS);
  return ms > MAX_DURATION_CAP_MS ? { ms, problem: `the phases need more than the 24h a drill may run (${sum})` } : { ms };
}
