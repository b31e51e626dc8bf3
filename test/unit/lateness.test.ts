import { expect } from 'chai';
import { latenessProblems, probeLateness } from '../../src/core/lateness.js';
import { SampleStore } from '../../src/core/sample-store.js';

describe('probe lateness', () => {
  const storeWith = (lateByMs: number[], intervalMs: number) => {
    const store = new SampleStore();
    lateByMs.forEach((late, k) => store.add({ kind: 'sample', t: k * intervalMs + late, plannedT: k * intervalMs, probe: 'app', ok: true, latencyMs: 3 }));
    return store;
  };

  it('reports p50, p99 and max of sent − planned per probe', () => {
    const late = Array.from({ length: 100 }, (_, i) => i / 10); // 0.0 .. 9.9 ms
    const lateness = probeLateness(storeWith(late, 100), new Map([['app', 100]]));
    expect(lateness.app).to.deep.equal({ intervalMs: 100, samples: 100, skipped: 0, p50Ms: 4.9, p99Ms: 9.8, maxMs: 9.9 });
  });

  it('leaves out samples without a planned time, and probes without samples', () => {
    const store = new SampleStore();
    store.add({ kind: 'sample', t: 5, probe: 'app', ok: true, latencyMs: 1 });
    expect(probeLateness(store, new Map([['app', 100], ['other', 100]]))).to.deep.equal({});
  });

  it('names a probe whose p99 is over the share of its interval, and only that one', () => {
    const lateness = {
      fast: { intervalMs: 200, samples: 10, skipped: 0, p50Ms: 1, p99Ms: 19, maxMs: 25 },
      behind: { intervalMs: 200, samples: 10, skipped: 0, p50Ms: 10, p99Ms: 45, maxMs: 80 },
    };
    const problems = latenessProblems(lateness, 0.1);
    expect(problems).to.have.length(1);
    expect(problems[0]).to.equal('probe behind fell behind its schedule: p99 lateness 45ms (max 80ms) is over 10% of its 200ms interval, so its bounds are wider than the interval says');
  });

  it('counts the planned samples never sent, and names a probe that skipped any', () => {
    const store = new SampleStore();
    for (const k of [0, 1, 2, 6, 7]) store.add({ kind: 'sample', t: k * 100 + 1, plannedT: k * 100, probe: 'app', ok: true, latencyMs: 1 });
    const lateness = probeLateness(store, new Map([['app', 100]]));
    expect(lateness.app).to.include({ samples: 5, skipped: 3 });
    expect(latenessProblems(lateness, 0.5)).to.deep.equal(['probe app fell behind its schedule: p99 lateness 1ms (max 1ms); skipped 3 of its 8 planned samples, so its bounds are wider than the interval says']);
  });
});

describe('SampleStore', () => {
  it('keeps samples in the order they were sent, whatever order they answered in', () => {
    const store = new SampleStore();
    for (const t of [0, 20, 10, 30, 5]) store.add({ kind: 'sample', t, probe: 'app', ok: t !== 10, latencyMs: 1, ...(t === 30 ? { region: 'us-west-2' } : {}) });
    const own = store.of('app')!;
    expect(Array.from({ length: own.length }, (_, i) => own.tAt(i))).to.deep.equal([0, 5, 10, 20, 30]);
    expect(own.at(2).ok).to.equal(false);
    expect(own.at(4).region).to.equal('us-west-2');
    expect(own.at(0).region).to.equal(undefined);
    expect(own.indexAtOrAfter(11)).to.equal(3);
    expect(own.failed).to.equal(1);
  });
});
