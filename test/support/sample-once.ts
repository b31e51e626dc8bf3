import { createClock } from '../../src/core/clock.js';
import { SampleRun, type Probe, type SampleOutcome } from '../../src/probes/probe.js';

/** One sample of `probe` outside a schedule, giving up at the probe's own timeout as the runner's would. */
export async function sampleOnce(probe: Probe, outDir = '.'): Promise<SampleOutcome> {
  const run = new SampleRun(createClock(), outDir, probe.timeoutMs);
  try {
    return await probe.sample(run);
  } finally {
    run.settle();
  }
}
