import { createClock } from '../../src/core/clock.js';
import type { JsonObject } from '../../src/core/json.js';
import type { FaultContext } from '../../src/faults/fault.js';

/**
 * A FaultContext for calling a step directly. `remember` also takes `snapshot()` of the resource
 * at that moment, so a test can prove the state was on record before the first change.
 */
export function recordingFaultContext<Snapshot>(snapshot: () => Promise<Snapshot>, signal: AbortSignal = new AbortController().signal) {
  const remembered: { state: JsonObject; resourceAtThatMoment: Snapshot }[] = [];
  const logs: string[] = [];
  const context: FaultContext = {
    clock: createClock(),
    signal,
    drillId: 'test-drill',
    async remember(state) {
      remembered.push({ state, resourceAtThatMoment: await snapshot() });
    },
    log: (message) => logs.push(message),
  };
  return { context, remembered, logs };
}
