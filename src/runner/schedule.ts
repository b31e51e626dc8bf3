import type { Clock } from '../core/clock.js';
import { UNKNOWN_STATE, type Timeline } from '../core/timeline.js';
import type { Probe } from '../probes/probe.js';
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
 * Samples a probe at a fixed rate: sample k is sent at start + k × interval whether or not
 * sample k−1 has answered, so a target that hangs shows as failures when users would see them,
 * and each sample gives up at its own timeout.
 */
export function scheduleProbe(probe: Probe, options: { clock: Clock; timeline: Timeline; outDir: string }): Schedule {
  const { clock, timeline } = options;
  const stopper = new AbortController();
  const inFlight = new Set<Promise<void>>();

  const takeSample = async (plannedT: number) => {
    const t = clock.now();
    const signal = AbortSignal.any([stopper.signal, AbortSignal.timeout(probe.timeoutMs)]);
    let outcome;
    try {
      outcome = await probe.sample({ signal, clock, outDir: options.outDir });
    } catch (error) {
      outcome = { ok: false, error: signal.aborted && !stopper.signal.aborted ? `timeout after ${probe.timeoutMs}ms` : (error as Error).message };
    }
    if (stopper.signal.aborted) return; // the drill has moved on; a half-taken sample is not evidence
    timeline.append({ kind: 'sample', t, plannedT, probe: probe.name, latencyMs: clock.now() - t, ...(probe.vantage ? { vantage: probe.vantage } : {}), ...outcome });
  };

  const loop = (async () => {
    const start = clock.now();
    for (let k = 0; !stopper.signal.aborted; k++) {
      const plannedT = start + k * probe.intervalMs;
      await abortableDelay(plannedT - clock.now(), stopper.signal);
      if (stopper.signal.aborted) break;
      const sample = takeSample(plannedT);
      inFlight.add(sample);
      void sample.finally(() => inFlight.delete(sample));
    }
  })();

  return {
    async stop() {
      stopper.abort();
      await loop;
      await Promise.allSettled([...inFlight]);
    },
  };
}

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
