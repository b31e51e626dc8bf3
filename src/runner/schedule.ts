import type { Clock } from '../core/clock.js';
import { UNKNOWN_STATE, type Timeline } from '../core/timeline.js';
import { SampleRun, timeoutError, type Probe } from '../probes/probe.js';
import type { Signal } from '../signals/signal.js';

export interface Schedule {
  stop(): Promise<void>;
}

function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, Math.max(0, ms));
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * Samples a probe at a fixed rate: sample k is sent at `firstT` + k × interval whether or not
 * sample k−1 has answered, so a target that hangs shows as failures when users would see them,
 * and each sample gives up at its own timeout. An engine that falls more than an interval behind
 * skips the samples it missed (counted in the result's `probeLateness`) rather than catching up.
 */
export function scheduleProbe(probe: Probe, options: { clock: Clock; timeline: Timeline; outDir: string; firstT?: number }): Schedule {
  const { clock, timeline, outDir } = options;
  const timeout = timeoutError(probe.timeoutMs);
  const inFlight = new Set<SampleRun>();
  let stopped = false;
  let drained: (() => void) | undefined;

  const takeSample = async (plannedT: number) => {
    const run = new SampleRun(clock, outDir, probe.timeoutMs, timeout);
    inFlight.add(run);
    const t = clock.now();
    let outcome;
    try {
      outcome = await probe.sample(run);
    } catch (error) {
      outcome = { ok: false, error: run.timedOut ? timeout.message : (error as Error).message };
    } finally {
      run.settle();
      inFlight.delete(run);
      if (inFlight.size === 0) drained?.();
    }
    if (stopped) return; // the drill has moved on; a half-taken sample is not evidence
    timeline.append({ kind: 'sample', t, plannedT, probe: probe.name, latencyMs: clock.now() - t, ...(probe.vantage ? { vantage: probe.vantage } : {}), ...outcome });
  };

  const firstT = options.firstT ?? clock.now();
  let k = 0;
  let timer: NodeJS.Timeout | undefined;
  // A sample more than an interval late is skipped, not sent: sending every missed sample at once
  // opens as many connections and falls further behind. Skips show as gaps in `plannedT`.
  const fire = () => {
    const behind = clock.now() - (firstT + k * probe.intervalMs);
    if (behind > probe.intervalMs) k += Math.floor(behind / probe.intervalMs);
    void takeSample(firstT + k++ * probe.intervalMs);
    timer = setTimeout(fire, firstT + k * probe.intervalMs - clock.now());
  };
  timer = setTimeout(fire, firstT - clock.now());

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      const stopping = new Promise<void>((resolve) => { drained = resolve; });
      for (const run of inFlight) run.giveUp(DRILL_STOPPED);
      if (inFlight.size > 0) await stopping;
    },
  };
}

const DRILL_STOPPED = new DOMException('the drill stopped', 'AbortError');

/**
 * Polls a signal and records each change of state. A change is placed by the source's own clock
 * when it gives one; otherwise between the poll that saw it and the one before. A poll that
 * fails makes the state `unknown` for that gap.
 */
export function pollSignal(signal: Signal, options: { clock: Clock; timeline: Timeline }): Schedule {
  const { clock, timeline } = options;
  const stopper = new AbortController();
  let previous: { state: string; t: number } | undefined;

  const loop = (async () => {
    while (!stopper.signal.aborted) {
      const t = clock.now();
      let state: string;
      let since: Date | undefined;
      let detail: Record<string, unknown> | undefined;
      try {
        const observation = await signal.observe({ signal: stopper.signal });
        ({ state, since, detail } = observation);
      } catch (error) {
        state = UNKNOWN_STATE;
        detail = { error: (error as Error).message };
      }
      if (stopper.signal.aborted) break;
      const observedT = clock.now();
      if (state !== previous?.state) {
        const sourceT = since ? since.getTime() - clock.anchorWallMs : undefined;
        // The poll before this one still saw the old state, so the change came after it was sent:
        // a source clock that says otherwise is stale (a timestamp kept over a reset) and is not believed.
        const sawOld = previous !== undefined && previous.state !== UNKNOWN_STATE ? previous : undefined;
        const stale = sourceT !== undefined && sawOld !== undefined && sourceT < sawOld.t;
        const usable = sourceT !== undefined && sourceT <= observedT && !stale;
        if (stale) detail = { ...detail, sourceClockRejected: `the source says ${since!.toISOString()}, before the poll at ${new Date(clock.anchorWallMs + sawOld.t).toISOString()} that still saw ${sawOld.state}` };
        timeline.append({
          kind: 'signal',
          t,
          signal: signal.name,
          state,
          ...(previous ? { previous: previous.state } : {}),
          at: usable ? { t: sourceT, lower: sourceT, upper: sourceT } : { t, lower: previous?.t ?? t, upper: observedT },
          observedT,
          source: usable ? 'source-clock' : 'observed',
          ...(detail ? { detail } : {}),
        });
      }
      previous = { state, t };
      await abortableDelay(t + signal.intervalMs - clock.now(), stopper.signal);
    }
  })();

  return {
    async stop() {
      stopper.abort();
      await loop;
    },
  };
}
