import { z } from 'zod';
import { durationMs, name, ratio } from './fields.js';
import { DEFAULT_MAX_DURATION, MAX_DURATION_CAP_MS } from './budget.js';
import { DEFAULT_IN_WORDS } from './fields.js';
import { TARGET_NAMES, TARGETS, type TargetName, type TargetUnit } from '../core/targets.js';

/**
 * The scenario as people write it, in YAML, JSON or TypeScript. Faults, probes, signals, steps
 * and canaries are validated in two steps: this envelope (name, kind and the fields every kind
 * shares), then the kind's own settings (see `src/runner/kinds.ts`), so an error names the kind.
 */
const adapterEnvelope = <Shape extends z.ZodRawShape>(shape: Shape) => z.looseObject({ name, kind: z.string(), ...shape });

export const probeEnvelope = adapterEnvelope({
  /** Samples users would see: their failures are T_impact and count in availability. Default true. */
  userFacing: z.boolean().optional(),
  /** A guardrail: this probe must never fail; `failures` in a row abort the drill (default 1). */
  protected: z.union([z.boolean(), z.strictObject({ failures: z.number().int().min(1) })]).optional(),
});

export const signalEnvelope = adapterEnvelope({
  /** A stop condition: the drill aborts and reverts when the signal reaches this state. */
  stopWhen: z.string().optional(),
});

export const faultEnvelope = adapterEnvelope({});

export const stepEnvelope = adapterEnvelope({
  /** When the step runs: at a milestone, or right after the faults are injected. */
  when: z.enum(['fault', 'impact', 'detect', 'decide']).default('detect'),
});

export const canaryEnvelope = adapterEnvelope({});

const signalMatch = z.union([
  /** `later`: states that only come after `becomes`; a change straight into one passed it unseen between two polls. */
  z.strictObject({ signal: name, becomes: z.string(), later: z.array(z.string()).min(1).optional() }),
  z.strictObject({ signal: name, changes: z.literal(true) }),
]);

const PHASES = ['steady-state', 'inject', 'observe', 'revert', 'verify'] as const;

/**
 * A manual gate: the drill waits before a phase, a fault or a recovery step until a person
 * approves (`firedrill approve`, the live page), or aborts and reverts at `timeout`. In CI nobody
 * approves: `ci: approve` decides automatically, `ci: fail` (default) refuses to start.
 */
const gate = z.strictObject({
  name,
  before: z.union([z.enum(PHASES), z.strictObject({ fault: name }), z.strictObject({ step: name })]),
  timeout: durationMs,
  ci: z.enum(['fail', 'approve']).default('fail'),
  /** What the person checks before approving, shown as a checklist. */
  runbook: z.array(z.string()).default([]),
});

const recoveryRule = z.union([
  z.strictObject({ probe: name, region: z.string().optional(), consecutive: z.number().int().min(1) }),
  z.strictObject({ probe: name, region: z.string().optional(), percent: z.number().gt(0).max(100), window: durationMs }),
]);

/** What a budget is written as, by unit: "90s", "99.5%" (or 0.995), a count. */
interface BudgetInput { time: string; ratio: string | number; count: number }
type BudgetField<U extends TargetUnit> = z.ZodOptional<z.ZodType<number, BudgetInput[U]>>;

const budgetField: { [U in TargetUnit]: BudgetField<U> } = {
  time: durationMs.optional(),
  ratio: ratio.optional(),
  count: z.number().int().min(0).optional(),
};

export const targetsSchema = z.strictObject(
  Object.fromEntries(TARGET_NAMES.map((n) => [n, budgetField[TARGETS[n].unit]])) as { [K in TargetName]: BudgetField<(typeof TARGETS)[K]['unit']> },
).refine((t) => Object.values(t).some((v) => v !== undefined), `expected at least one target (${TARGET_NAMES.join(', ')})`);

export const scenarioSchema = z.strictObject({
  scenario: name,
  description: z.string().optional(),
  /** The environment used when `--env` is not given. */
  environment: name.optional(),
  /** What RTO counts from. */
  origin: z.enum(['fault', 'impact']).default('fault'),
  faults: z.array(faultEnvelope).min(1, 'expected at least one fault'),
  probes: z.array(probeEnvelope).min(1, 'expected at least one probe'),
  signals: z.array(signalEnvelope).default([]),
  steps: z.array(stepEnvelope).default([]),
  canaries: z.array(canaryEnvelope).default([]),
  gates: z.array(gate).default([]),
  milestones: z.strictObject({
    /** Which fault is the disaster (`T_fault`) when there are several; default the first to take effect. */
    fault: name.optional(),
    detect: signalMatch.optional(),
    /** A signal, or the approval of a manual gate (`{ gate: NAME }`): a person decided. */
    decide: z.union([signalMatch, z.strictObject({ gate: name })]).optional(),
    recovered: recoveryRule,
  }),
  steadyState: z.strictObject({
    window: durationMs.default(2_000),
    minSuccess: ratio.default(1),
    /** States signals must be in before anything is injected (e.g. DNS still answers the primary). */
    signals: z.record(name, z.string()).default({}),
  }).default({ window: 2_000, minSuccess: 1, signals: {} }),
  observe: z.strictObject({
    /** How long to wait for recovery after injecting before giving up. */
    timeout: durationMs,
    /** How long to keep observing after recovery (lets a sustained-window rule complete). */
    settle: durationMs.default(1_000),
  }),
  verify: z.strictObject({
    window: durationMs.default(2_000),
    /** Traffic must stay on this Region after the faults are reverted (no automatic failback). */
    noFailback: z.strictObject({ probe: name, region: z.string() }).optional(),
  }).default({ window: 2_000 }),
  targets: targetsSchema,
  /**
   * How late the probe engine may send samples against its fixed schedule, as a share of each
   * probe's interval, judged on the 99th percentile: beyond it the result warns (or, with
   * `onExceeded: fail`, the drill fails a check), since late samples widen every bound.
   */
  probeLateness: z.strictObject({
    max: ratio.default(0.1),
    onExceeded: z.enum(['warn', 'fail']).default('warn'),
  }).default({ max: 0.1, onExceeded: 'warn' }),
  /** Which bound verdicts compare: the pessimistic one (default) or the point value. */
  verdictBound: z.enum(['pessimistic', 'value']).default('pessimistic'),
  guardrails: z.strictObject({
    /**
     * Capped at a day: a drill is not a soak test (and timers cannot wait past 24.8 days). By
     * default what the phases need plus a margin (`src/scenario/budget.ts`); never less than they need.
     */
    maxDuration: durationMs.refine((ms) => ms <= MAX_DURATION_CAP_MS, 'expected at most 24h').optional().meta({ [DEFAULT_IN_WORDS]: DEFAULT_MAX_DURATION }),
    /** Abort when a probe's failures over the trailing window exceed this share (an error-rate bound). */
    maxErrorRate: z.array(z.strictObject({ probe: name, rate: ratio, window: durationMs })).default([]),
    /** The fault kinds and resources this scenario may touch; anything else is refused before it starts. */
    blastRadius: z.array(z.string()).optional(),
  }).default({ maxErrorRate: [] }),
});

export type ScenarioInput = z.input<typeof scenarioSchema>;
type ParsedScenario = z.output<typeof scenarioSchema>;
/** The scenario the runner uses: as parsed, with the maximum duration always set (see budget.ts). */
export type ScenarioSpec = Omit<ParsedScenario, 'guardrails'> & { guardrails: ParsedScenario['guardrails'] & { maxDuration: number } };
export type GateSpec = ScenarioSpec['gates'][number];

type AdapterSections = 'faults' | 'probes' | 'signals' | 'steps' | 'canaries';
/** An entry taken from a shared file, with overrides (`{ use: 'probes/lab/app.yaml', interval: '1s' }`, see includes.ts). */
export type SharedEntry<Entry> = { use: string } & Partial<Entry>;
/** A scenario as written: any entry may be taken from a shared file; the loader replaces it. */
export type ScenarioSource = Omit<ScenarioInput, AdapterSections> & {
  [S in AdapterSections]?: (NonNullable<ScenarioInput[S]>[number] | SharedEntry<NonNullable<ScenarioInput[S]>[number]>)[];
};

/** Types a TypeScript scenario, so `drills/*.ts` get the same checking as the YAML. */
export function defineScenario(scenario: ScenarioSource): ScenarioInput {
  // Entries that `use` a file become entries when the scenario is loaded, as in YAML.
  return scenario as ScenarioInput;
}
