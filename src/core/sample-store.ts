import type { SampleEvent } from './timeline.js';

/**
 * Every sample of a drill, kept as columns of numbers per probe rather than as objects, so that a
 * one-hour drill at 100 probes × 10 Hz (3.6 million samples) costs about 19 bytes a sample, not
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

/** Samples per chunk of each column: columns grow a chunk at a time, so nothing is ever copied whole nor held twice. */
const CHUNK_BITS = 10;
const CHUNK = 1 << CHUNK_BITS;
const IN_CHUNK = CHUNK - 1;

/**
 * One column of numbers in chunks of `CHUNK`. A doubling array held up to twice the samples'
 * bytes and, when 100 probes' columns doubled together, copied tens of megabytes in one go.
 */
class Column<T extends Float64Array | Float32Array | Uint8Array | Uint16Array> {
  private readonly chunks: T[] = [];

  constructor(private readonly make: new (n: number) => T) {}

  get(i: number): number {
    return this.chunks[i >>> CHUNK_BITS]![i & IN_CHUNK]!;
  }

  set(i: number, value: number): void {
    const c = i >>> CHUNK_BITS;
    if (c === this.chunks.length) this.chunks.push(new this.make(CHUNK));
    this.chunks[c]![i & IN_CHUNK] = value;
  }
}

export class ProbeSamples {
  private readonly t = new Column(Float64Array);
  /** `t − plannedT`: small, so four bytes keep it to well under a microsecond. */
  private readonly late = new Column(Float32Array);
  private readonly latency = new Column(Float32Array);
  private readonly flags = new Column(Uint8Array);
  private readonly region = new Column(Uint16Array);
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
    let i = this.size;
    while (i > 0 && this.t.get(i - 1) > sample.t) i--;
    for (let j = this.size; j > i; j--) this.copy(j - 1, j);
    this.t.set(i, sample.t);
    this.late.set(i, sample.plannedT === undefined ? Number.NaN : sample.t - sample.plannedT);
    this.latency.set(i, sample.latencyMs);
    this.flags.set(i, sample.ok ? 1 : 0);
    this.region.set(i, sample.region === undefined ? 0 : this.regionIndex(sample.region));
    this.size++;
    if (!sample.ok) {
      this.failed++;
      this.lastFailure = { t: sample.t, error: sample.error };
    }
    return i;
  }

  at(i: number): StoredSample {
    const t = this.t.get(i);
    const late = this.late.get(i);
    return { t, latencyMs: this.latency.get(i), ok: this.flags.get(i) === 1, region: this.regionAt(i), plannedT: Number.isNaN(late) ? undefined : t - late };
  }

  tAt(i: number): number {
    return this.t.get(i);
  }

  latencyAt(i: number): number {
    return this.latency.get(i);
  }

  okAt(i: number): boolean {
    return this.flags.get(i) === 1;
  }

  regionAt(i: number): string | undefined {
    const r = this.region.get(i);
    return r === 0 ? undefined : this.regions[r - 1];
  }

  /** The first index whose sample was sent at or after `t` (the length when there is none). */
  indexAtOrAfter(t: number): number {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.t.get(mid) < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** How late each sample was against its schedule, in ms (samples without a planned time are left out). */
  lateness(): Float64Array {
    const out = new Float64Array(this.size);
    let n = 0;
    for (let i = 0; i < this.size; i++) {
      const late = this.late.get(i);
      if (!Number.isNaN(late)) out[n++] = late;
    }
    return out.subarray(0, n);
  }

  /** The earliest and latest planned time among the samples, when any has one. */
  plannedRange(): { first: number; last: number } | undefined {
    let first = Infinity;
    let last = -Infinity;
    for (let i = 0; i < this.size; i++) {
      const planned = this.t.get(i) - this.late.get(i);
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

  private copy(from: number, to: number): void {
    for (const column of [this.t, this.late, this.latency, this.flags, this.region] as Column<Float64Array>[]) column.set(to, column.get(from));
  }
}

/** The samples of every probe of a drill. */
export class SampleStore {
  private readonly byProbe = new Map<string, ProbeSamples>();
  /** Region names, shared by all probes (a handful per drill). */
  private readonly regionNames: string[] = [];

  /** Adds a sample; returns its probe's samples and the index it landed at. */
  add(sample: SampleEvent): { probe: ProbeSamples; index: number } {
    let probe = this.byProbe.get(sample.probe);
    if (!probe) this.byProbe.set(sample.probe, (probe = new ProbeSamples(this.regionNames)));
    return { probe, index: probe.add(sample) };
  }

  of(probe: string): ProbeSamples | undefined {
    return this.byProbe.get(probe);
  }

  probes(): string[] {
    return [...this.byProbe.keys()];
  }

  /** Every Region (or side) a sample was served by, in the order they first appeared. */
  regions(): readonly string[] {
    return this.regionNames;
  }

  get total(): number {
    let n = 0;
    for (const p of this.byProbe.values()) n += p.length;
    return n;
  }
}
