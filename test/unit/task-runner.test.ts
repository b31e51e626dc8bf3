import { expect } from 'chai';
import { runTasks, type Task } from '../../src/runner/task-runner.js';

/** The task runner on its own: what runs, in which order, and what a stop leaves to the teardowns. */
interface Log { calls: string[] }
const task = (title: string, setup?: (log: Log) => Promise<void>, teardown?: (log: Log) => Promise<void>): Task<Log> => ({
  title,
  setup: async (log) => { log.calls.push(`setup:${title}`); await setup?.(log); },
  ...(teardown !== undefined ? { teardown: async (log: Log) => { log.calls.push(`teardown:${title}`); await teardown(log); } } : {}),
});
const noop = async () => {};

describe('runTasks', () => {
  it('runs every setup in order, then the teardowns in reverse order', async () => {
    const log: Log = { calls: [] };
    const run = await runTasks([task('a', noop, noop), task('b'), task('c', noop, noop)], log, { signal: new AbortController().signal, teardownTimeoutMs: 1_000 });
    expect(run.status).to.equal('completed');
    expect(log.calls).to.deep.equal(['setup:a', 'setup:b', 'setup:c', 'teardown:c', 'teardown:a']);
  });

  it('tears down the task whose setup threw (its teardown was registered first), and nothing after it runs', async () => {
    const log: Log = { calls: [] };
    const boom = new Error('boom');
    const run = await runTasks([task('a', noop, noop), task('b', async () => { throw boom; }, noop), task('c', noop, noop)], log, { signal: new AbortController().signal, teardownTimeoutMs: 1_000 });
    expect(run).to.deep.include({ status: 'failed', stoppedAt: 'b', error: boom });
    expect(log.calls).to.deep.equal(['setup:a', 'setup:b', 'teardown:b', 'teardown:a']);
  });

  it('stops at the abort signal while a setup waits, and still tears everything down', async () => {
    const log: Log = { calls: [] };
    const controller = new AbortController();
    const reason = new Error('SIGINT received');
    let stopped: string | undefined;
    const waitsForAbort = (l: Log) => new Promise<void>((resolve) => {
      controller.signal.addEventListener('abort', () => { l.calls.push('setup noticed the abort'); resolve(); });
      queueMicrotask(() => controller.abort(reason));
    });
    const run = await runTasks([task('a', noop, noop), task('b', waitsForAbort, noop), task('c', noop, noop)], log, {
      signal: controller.signal, teardownTimeoutMs: 1_000, onStop: (r) => { stopped = `${r.status} at ${r.stoppedAt}, teardowns so far: ${log.calls.filter((c) => c.startsWith('teardown')).length}`; },
    });
    expect(run).to.deep.include({ status: 'interrupted', stoppedAt: 'b', error: reason });
    expect(stopped).to.equal('interrupted at b, teardowns so far: 0');
    // The setup was let settle before its teardown ran: a half-made change is recorded before it is undone.
    expect(log.calls).to.deep.equal(['setup:a', 'setup:b', 'setup noticed the abort', 'teardown:b', 'teardown:a']);
  });

  it('a teardown that fails or hangs past its deadline does not stop the others', async () => {
    const log: Log = { calls: [] };
    const hangs = () => new Promise<void>(() => {});
    const started = performance.now();
    const run = await runTasks([task('a', noop, noop), task('b', noop, async () => { throw new Error('cannot'); }), task('c', noop, hangs)], log, { signal: new AbortController().signal, teardownTimeoutMs: 50 });
    expect(performance.now() - started).to.be.below(1_000);
    expect(log.calls).to.deep.equal(['setup:a', 'setup:b', 'setup:c', 'teardown:c', 'teardown:b', 'teardown:a']);
    expect(run.status).to.equal('completed');
    expect(run.teardownErrors.map((e) => `${e.title}: ${(e.error as Error).message}`)).to.deep.equal(['c: teardown of c did not finish within 50ms', 'b: cannot']);
  });

  it('a run whose signal is already aborted starts nothing', async () => {
    const log: Log = { calls: [] };
    const controller = new AbortController();
    controller.abort(new Error('too late'));
    const run = await runTasks([task('a', noop, noop)], log, { signal: controller.signal, teardownTimeoutMs: 50 });
    expect(run.status).to.equal('interrupted');
    expect(log.calls).to.deep.equal([]);
  });
});
