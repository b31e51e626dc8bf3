import { exactInstant, type Instant } from '../../src/core/measurement.js';
import type { CanaryEvent, FaultEvent, SampleEvent, SignalEvent } from '../../src/core/timeline.js';

/** Hand-built timeline events for the core's unit tests: only what a test cares about is given. */
export function injected(t: number, at: Instant = exactInstant(t), fault = 'outage'): FaultEvent {
  return { kind: 'fault', t, fault, faultKind: 'blackhole', action: 'injected', at };
}

export function sample(probe: string, t: number, ok: boolean, extra: Partial<SampleEvent> = {}): SampleEvent {
  return { kind: 'sample', t, probe, ok, latencyMs: 10, ...extra };
}

/** Samples of one probe every `every` ms from `from`, one per character: `+` ok, `-` failed. */
export function samples(probe: string, from: number, every: number, script: string, extra: Partial<SampleEvent> = {}): SampleEvent[] {
  return [...script].map((c, i) => sample(probe, from + i * every, c === '+', extra));
}

export function signal(name: string, state: string, at: Instant | number, previous?: string): SignalEvent {
  const instant = typeof at === 'number' ? exactInstant(at) : at;
  return { kind: 'signal', t: instant.t, signal: name, state, at: instant, observedT: instant.upper, source: 'observed', ...(previous ? { previous } : {}) };
}

export function canaryWrite(t: number, seq: number, ok = true, canary = 'orders'): CanaryEvent {
  return { kind: 'canary', t, canary, action: 'write', seq, ok };
}

export function canaryRead(t: number, read: { newestSeq?: number; lost: number; newestCommitT?: number }, canary = 'orders'): CanaryEvent {
  return { kind: 'canary', t, canary, action: 'read', ok: true, ...read };
}
