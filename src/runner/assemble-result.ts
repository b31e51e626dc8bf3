import type { AwsChange } from '../aws/change-log.js';
import type { CallerIdentity } from '../aws/identity.js';
import { latenessProblems, probeLateness } from '../core/lateness.js';
import { measure } from '../core/measurements.js';
import { milestoneGaps, recoveryFlap, type RecoveryFlap } from '../core/milestone-gaps.js';
import { sourceClockWarnings } from '../core/source-clock-warnings.js';
import type { MilestoneRules, Milestones } from '../core/milestones.js';
import type { RecordedTimeline } from '../core/timeline.js';
import { allPassed, judge } from '../core/verdicts.js';
import type { LoadedScenario } from '../scenario/load.js';
import { instantRecord, RESULT_FORMAT, summarizeSamples, type Artifact, type DrillResult, type FaultRecord } from './result.js';
import { targetsOf } from './scenario-rules.js';

/** Everything a result is made of; `assembleResult` only computes. */
export interface ResultInput {
  drillId: string;
  scenario: LoadedScenario;
  environment: string;
  caller: CallerIdentity | undefined;
  clock: { anchorWallMs: number };
  /** Timeline time the drill ended at. */
  endedAt: number;
  aborted: DrillResult['aborted'];
  phases: DrillResult['phases'];
  timeline: RecordedTimeline;
  milestones: Milestones;
  milestoneRules: MilestoneRules;
  probeIntervalsMs: ReadonlyMap<string, number>;
  observeEnd: number;
  checks: DrillResult['checks'];
  faults: FaultRecord[];
  steps: FaultRecord[];
  artifacts: Artifact[];
  /** firedrill's version and the AWS calls that changed something during the drill. */
  provenance: { firedrill: string; awsChanges: AwsChange[] };
}

export function assembleResult(input: ResultInput): DrillResult {
  const { spec } = input.scenario;
  const m = input.milestones;
  const flap = recoveryFlap(input.timeline, m, input.milestoneRules);
  const measurements = measure(input.timeline, m, { origin: spec.origin, userFacing: input.milestoneRules.userFacing, observeEnd: input.observeEnd });
  const targets = targetsOf(spec);
  const verdicts = judge(targets, measurements, spec.verdictBound);
  const lateness = probeLateness(input.timeline.samples, input.probeIntervalsMs);
  const late = latenessProblems(lateness, spec.probeLateness.max);
  const checks = spec.probeLateness.onExceeded === 'fail'
    ? [...input.checks, { name: 'probe schedule', ok: late.length === 0, detail: late.join('; ') || 'every probe kept its schedule' }]
    : input.checks;
  const passed = !input.aborted && allPassed(verdicts) && checks.every((c) => c.ok);
  const wall = (t: number) => new Date(input.clock.anchorWallMs + t).toISOString();
  return {
    format: RESULT_FORMAT,
    drillId: input.drillId,
    scenario: { name: spec.scenario, file: input.scenario.file, sha256: input.scenario.sha256, ...(spec.description ? { description: spec.description } : {}) },
    environment: input.environment,
    ...(input.caller ? { caller: input.caller } : {}),
    provenance: input.provenance,
    startedAt: wall(0),
    endedAt: wall(input.endedAt),
    clockAnchor: wall(0),
    outcome: input.aborted ? (input.aborted.guardrail === 'crash' ? 'errored' : 'aborted') : passed ? 'passed' : 'failed',
    aborted: input.aborted,
    phases: input.phases,
    milestones: {
      fault: instantRecord(input.clock, m.fault), impact: instantRecord(input.clock, m.impact), detect: instantRecord(input.clock, m.detect),
      decide: instantRecord(input.clock, m.decide), recovered: instantRecord(input.clock, m.recovered),
    },
    measurements,
    targets,
    verdicts,
    faults: input.faults,
    steps: input.steps,
    checks,
    samples: summarizeSamples(input.timeline),
    probeLateness: lateness,
    ...flapRecord(input.clock, flap),
    warnings: [...milestoneGaps(input.timeline, m, input.milestoneRules, flap), ...sourceClockWarnings(input.timeline), ...(spec.probeLateness.onExceeded === 'warn' ? late : [])],
    artifacts: input.artifacts,
  };
}

function flapRecord(clock: { anchorWallMs: number }, flap: RecoveryFlap | null): Pick<DrillResult, 'recoveryFlap'> {
  return flap ? { recoveryFlap: { ...flap, firstAnswer: instantRecord(clock, flap.firstAnswer)! } } : {};
}
