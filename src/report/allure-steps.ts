import { formatDuration } from '../core/duration.js';
import type { FaultEvent, SignalEvent, TimelineEvent } from '../core/timeline.js';
import { formatBudget, formatMeasurement } from '../core/targets.js';
import type { DrillResult } from '../runner/result.js';

/**
 * A drill as an allure test, built once from its result and timeline and written by either path:
 * as allure-results JSON by `firedrill run` / `report allure`, or as runtime messages from a
 * mocha drill. Steps are the phases with the timeline's own start and stop (wall-clock ms), the
 * milestones inside the phase they fell in (start and stop = the milestone's bounds), and a step
 * per target from its origin milestone to its end.
 */
export type AllureStatus = 'passed' | 'failed' | 'broken' | 'skipped';

export interface AllureStep {
  name: string;
  status: AllureStatus;
  start: number;
  stop: number;
  parameters: { name: string; value: string }[];
  steps: AllureStep[];
}

export interface AllureTest {
  name: string;
  fullName: string;
  historyId: string;
  status: AllureStatus;
  statusDetails: { message?: string };
  start: number;
  stop: number;
  labels: { name: string; value: string }[];
  links: { name: string; url: string; type: string }[];
  parameters: { name: string; value: string }[];
  steps: AllureStep[];
}

const MILESTONE_LABELS = { fault: 'T_fault', impact: 'T_impact', detect: 'T_detect', decide: 'T_decide', recovered: 'T_recovered' } as const;
const TARGET_SPANS = { detection: ['fault', 'detect'], decision: ['detect', 'decide'], failover: ['decide', 'recovered'], rto: ['fault', 'recovered'], rpo: ['fault', 'fault'], lostWrites: ['fault', 'fault'], availability: ['fault', 'recovered'] } as const;

export function allureTestOf(result: DrillResult, events: readonly TimelineEvent[]): AllureTest {
  const wall = (t: number) => Math.round(Date.parse(result.clockAnchor) + t);
  const milestoneSteps = (Object.keys(MILESTONE_LABELS) as (keyof typeof MILESTONE_LABELS)[]).flatMap((key) => {
    const m = result.milestones[key];
    if (!m) return [];
    const half = (m.upper - m.lower) / 2;
    return [{ t: m.t, step: step(`${MILESTONE_LABELS[key]} ${m.wall}${half > 0 ? ` ±${formatDuration(half)}` : ''}`, 'passed', wall(m.lower), wall(m.upper), [{ name: 'bounds (ms since start)', value: `${m.lower.toFixed(1)}..${m.upper.toFixed(1)}` }]) }];
  });
  const phases = result.phases.map((p) => {
    const inside = milestoneSteps.filter((m) => m.t >= p.start && (p.end === null || m.t < p.end)).map((m) => m.step);
    return step(`phase: ${p.phase}`, p.outcome === 'ok' ? 'passed' : p.outcome === 'skipped' ? 'skipped' : 'failed', wall(p.start), wall(p.end ?? p.start), [], inside);
  });
  const placed = new Set(phases.flatMap((p) => p.steps));
  const loose = milestoneSteps.map((m) => m.step).filter((s) => !placed.has(s));
  const targets = result.verdicts.map((v) => {
    const [from, to] = TARGET_SPANS[v.target];
    const start = result.milestones[from]?.t ?? 0;
    const stop = result.milestones[to]?.t ?? start;
    const measured = v.measured ? formatMeasurement(v.target, v.measured) : 'not measured';
    return step(`target ${v.target}: ${measured} ${formatBudget(v.target, v.budget)} — ${v.status}`, v.status === 'pass' ? 'passed' : 'failed', wall(start), wall(stop), [
      { name: 'budget', value: v.source },
      { name: 'judged', value: v.judged === null ? 'not measured' : String(v.judged) },
    ]);
  });
  const breached = result.verdicts.filter((v) => v.status !== 'pass');
  return {
    name: result.scenario.name,
    fullName: `firedrill.${result.environment}.${result.scenario.name}`,
    historyId: `firedrill.${result.environment}.${result.scenario.name}`,
    status: statusOf(result),
    statusDetails: result.aborted
      ? { message: `${result.outcome}: ${result.aborted.reason.split('\n')[0]}` }
      : breached.length ? { message: breached.map((v) => `${v.target} ${v.status}${v.measured ? ` (${formatMeasurement(v.target, v.measured)} vs ${v.source})` : ''}`).join('; ') } : {},
    start: Date.parse(result.startedAt),
    stop: Date.parse(result.endedAt),
    labels: [
      { name: 'framework', value: 'firedrill' },
      { name: 'parentSuite', value: `environment ${result.environment}` },
      { name: 'suite', value: result.scenario.name },
      { name: 'feature', value: 'disaster-recovery drill' },
      { name: 'tag', value: result.outcome },
    ],
    links: linksOf(events),
    // Never a secret here: allure stores masked parameters in clear text.
    parameters: [
      { name: 'environment', value: result.environment },
      { name: 'scenario file', value: `${result.scenario.file} (sha256 ${result.scenario.sha256.slice(0, 12)}…)` },
      { name: 'drill id', value: result.drillId },
      ...result.targets.map((t) => ({ name: `target ${t.name}`, value: t.source })),
      ...result.faults.map((f) => ({ name: `fault ${f.name}`, value: f.kind })),
    ],
    steps: [...phases, ...loose, ...targets],
  };
}

function step(name: string, status: AllureStatus, start: number, stop: number, parameters: AllureStep['parameters'] = [], steps: AllureStep[] = []): AllureStep {
  return { name, status, start, stop: Math.max(start, stop), parameters, steps };
}

function statusOf(result: DrillResult): AllureStatus {
  return result.outcome === 'passed' ? 'passed' : result.outcome === 'errored' ? 'broken' : 'failed';
}

/** The FIS experiments and CloudWatch alarms the drill used, as console links. */
function linksOf(events: readonly TimelineEvent[]): AllureTest['links'] {
  const links = new Map<string, AllureTest['links'][number]>();
  for (const e of events) {
    const experimentId = e.kind === 'fault' && (e as FaultEvent).action === 'injected' ? (e as FaultEvent).detail?.experimentId : undefined;
    if (typeof experimentId === 'string') links.set(experimentId, { name: `FIS experiment ${experimentId}`, url: `https://console.aws.amazon.com/fis/home#ExperimentDetails:ExperimentId=${encodeURIComponent(experimentId)}`, type: 'link' });
    const alarm = e.kind === 'signal' ? (e as SignalEvent).detail?.alarm : undefined;
    if (typeof alarm === 'string') links.set(`alarm ${alarm}`, { name: `CloudWatch alarm ${alarm}`, url: `https://console.aws.amazon.com/cloudwatch/home#alarmsV2:alarm/${encodeURIComponent(alarm)}`, type: 'link' });
  }
  return [...links.values()];
}
