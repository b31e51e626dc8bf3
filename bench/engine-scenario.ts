import type { ScenarioInput } from '../src/index.js';

/** The shape of a probe-engine drill: how many probes, how often, for how long. */
export interface EngineDrill {
  target: string;
  probes: number;
  intervalMs: number;
  observeMs: number;
  connection: string;
  /** Every probe user-facing (as probes are by default), or only the first. */
  everyProbeUserFacing: boolean;
}

/** Every probe must have answered once before the fault; first connections take a while when many open at once. */
export function steadyMsOf(probes: number): number {
  return 2_000 + probes * 5;
}

/**
 * A drill of N HTTP probes against a trivial server, with a no-op `http-hook` fault, that never
 * recovers, so its observe phase lasts its whole timeout: the runner as users get it.
 */
export function engineScenario(d: EngineDrill): ScenarioInput {
  const steadyMs = steadyMsOf(d.probes);
  return {
    scenario: 'bench-probe-engine',
    faults: [{ name: 'no-op', kind: 'http-hook', on: { url: `${d.target}fault/on` }, off: { url: `${d.target}fault/off` } }],
    probes: Array.from({ length: d.probes }, (_, i) => ({
      name: `p${i}`, kind: 'http', url: d.target, interval: `${d.intervalMs}ms`, timeout: '1s', connection: d.connection,
      userFacing: i === 0 || d.everyProbeUserFacing,
    })),
    milestones: { recovered: { probe: 'p0', region: 'nowhere', consecutive: 1 } },
    steadyState: { window: `${steadyMs}ms`, minSuccess: 0 },
    observe: { timeout: `${d.observeMs}ms`, settle: '0ms' },
    verify: { window: '200ms' },
    targets: { availability: '0%' },
    // An engine far behind its schedule is stopped by this rather than left to run on.
    guardrails: { maxDuration: `${steadyMs + d.observeMs + 30_000}ms` },
  };
}
