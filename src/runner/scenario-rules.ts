import { randomBytes } from 'node:crypto';
import type { MilestoneRules } from '../core/milestones.js';
import { formatBudget, TARGET_NAMES } from '../core/targets.js';
import type { Target } from '../core/verdicts.js';
import type { LoadedScenario } from '../scenario/load.js';
import type { ScenarioSpec } from '../scenario/schema.js';

/** `<scenario>-<UTC time>-<random>`: sortable by time, unique across runners. */
export function newDrillId(scenario: string, now = new Date()): string {
  return `${scenario}-${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
}

/** What the pure core needs from a scenario: its targets, and the rules its milestones follow. */
export function targetsOf(spec: ScenarioSpec): Target[] {
  return TARGET_NAMES.filter((name) => spec.targets[name] !== undefined)
    .map((name) => ({ name, budget: spec.targets[name]!, source: `${name} ${formatBudget(name, spec.targets[name]!)}` }));
}

export function milestoneRulesOf(scenario: LoadedScenario): MilestoneRules {
  const { spec } = scenario;
  const rule = spec.milestones.recovered;
  const region = rule.region !== undefined ? { region: rule.region } : {};
  return {
    userFacing: scenario.entries.probes.filter((p) => p.common.userFacing !== false).map((p) => p.name),
    ...(spec.milestones.fault ? { fault: spec.milestones.fault } : {}),
    ...(spec.milestones.detect ? { detect: spec.milestones.detect } : {}),
    ...(spec.milestones.decide ? { decide: spec.milestones.decide } : {}),
    recovered: 'percent' in rule
      ? { probe: rule.probe, ...region, percent: rule.percent, windowMs: rule.window }
      : { probe: rule.probe, ...region, consecutive: rule.consecutive },
  };
}
