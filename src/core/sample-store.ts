import type { SampleEvent } from './timeline.js';

/**
 * Every sample of a drill, kept as columns of numbers per probe rather than as objects, so that a
 * one-hour drill at 100 probes × 10 Hz (3.6 million samples) costs tens of bytes a sample, not
 * hundreds. Samples are kept in the order they were sent (`t`): a slow sample answers after a later
 * fast one, so an answer is inserted near the end, never far from it. What the columns do not keep
 * (status, detail, evidence) is in `timeline.ndjson`.
 */
export interface StoredSample {
  t: number;
  latencyMs: number;
  ok: boolean;
  region: string | undefined;
  /** When the schedule meant to send it; `t − plannedT` is how late the probe engine was. */
  plannedT: number | undefined;
}

const INITIAL_CAPACITY = 256;

export class ProbeSamples {
  private t = new Float64Array(INITIAL_CAPACITY);
  private planned = new Float64Array(INITIAL_CAPACITY);
  private latency = new Float32Array(INITIAL_CAPACITY);
  private flags = new Uint8Array(INITIAL_CAPACITY);
  private region = new Uint16Array(INITIAL_CAPACITY);
  private size = 0;
  failed = 0;
  /** The failure appended last, with its error: what a steady-state problem quotes. */
  lastFailure: { t: number; error: string | undefined } | undefined;

  constructor(private readonly regions: string[]) {}

  get length(): number {
    return this.size;
  }

  /** Adds a sample in `t` order and returns the index it landed at. */
  add(sample: SampleEvent): number {
    if (this.size === this.t.length) this.grow();
    let i = this.size;
    while (i > 0 && this.t[i - 1]! > sample.t) i--;
    if (i < this.size) this.shiftFrom(i);
    this.t[i] = sample.t;
    this.planned[i] = sample.plannedT ?? Number.NaN;
    this.latency[i] = sample.latencyMs;
    this.flags[i] = sample.ok ? 1 : 0;
    this.region[i] = sample.region === undefined ? 0 : this.regionIndex(sample.region);
    this.size++;
    if (!sample.ok) {
      this.failed++;
      this.lastFailure = { t: sample.t, error: sample.error };
    }
    return i;
  }

  at(i: number): StoredSample {
    const planned = this.planned[i]!;
    return { t: this.t[i]!, latencyMs: this.latency[i]!, ok: this.flags[i] === 1, region: this.regionAt(i), plannedT: Number.isNaN(planned) ? undefined : planned };
  }

  tAt(i: number): number {
    return this.t[i]!;
  }

  okAt(i: number): boolean {
    return this.flags[i] === 1;
  }

  regionAt(i: number): string | undefined {
    const r = this.region[i]!;
    return r === 0 ? undefined : this.regions[r - 1];
  }

  /** The first index whose sample was sent at or after `t` (the length when there is none). */
  indexAtOrAfter(t: number): number {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.t[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** How late each sample was against its schedule, in ms (samples without a planned time are left out). */
  lateness(): Float64Array {
    const out = new Float64Array(this.size);
    let n = 0;
    for (let i = 0; i < this.size; i++) {
      const planned = this.planned[i]!;
      if (!Number.isNaN(planned)) out[n++] = this.t[i]! - planned;
    }
    return out.subarray(0, n);
  }

  /** The earliest and latest planned time among the samples, when any has one. */
  plannedRange(): { first: number; last: number } | undefined {
    let first = Infinity;
    let last = -Infinity;
    for (let i = 0; i < this.size; i++) {
      const planned = this.planned[i]!;
      if (planned < first) first = planned;
      if (planned > last) last = planned;
    }
    return first <= last ? { first, last } : undefined;
  }

  private regionIndex(name: string): number {
    let i = this.regions.indexOf(name);
    if (i < 0) i = this.regions.push(name) - 1;
    return i + 1;
  }

  private shiftFrom(i: number): void {
    for (const column of [this.t, this.planned, this.latency, this.flags, this.region]) column.copyWithin(i + 1, i, this.size);
  }

  private grow(): void {
    const capacity = this.t.length * 2;
    const grown = <T extends Float64Array | Float32Array | Uint8Array | Uint16Array>(column: T, make: new (n: number) => T): T => {
      const next = new make(capacity);
      next.set(column);
      return next;
    };
    this.t = grown(this.t, Float64Array);
    this.planned = grown(this.planned, Float64Array);
    this.latency = grown(this.latency, Float32Array);
    this.flags = grown(this.flags, Uint8Array);
    this.region = grown(this.region, Uint16Array);
  }
}

/** The samples of every probe of a drill. */
export class SampleStore {
  private readonly byProbe = new Map<string, ProbeSamples>();
  /** Region names, shared by all probes (a handful per drill). */
  private readonly regions: string[] = [];

  /** Adds a sample; returns its probe's samples and the index it landed at. */
  add(sample: SampleEvent): { probe: ProbeSamples; index: number } {
    let probe = this.byProbe.get(sample.probe);
    if (!probe) this.byProbe.set(sample.probe, (probe = new ProbeSamples(this.regions)));
    return { probe, index: probe.add(sample) };
  }

  of(probe: string): ProbeSamples | undefined {
    return this.byProbe.get(probe);
  }

  probes(): string[] {
    return [...this.byProbe.keys()];
  }

  get total(): number {
    let n = 0;
    for (const p of this.byProbe.values()) n += p.length;
    return n;
  }
}
