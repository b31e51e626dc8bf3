/**
 * Runs a list of tasks in order (after Playwright's `runner/taskRunner.ts`). Each task's teardown
 * is registered before its setup runs, so whatever stops the run — a setup that throws, the
 * abort signal (Ctrl-C, a guardrail, the deadline) — every task that was started is torn down,
 * in reverse order, each teardown under its own deadline, one failing not stopping the others.
 */
export interface Task<Context> {
  title: string;
  setup?(context: Context): Promise<void>;
  teardown?(context: Context): Promise<void>;
  /** For a teardown that bounds its own work (each revert has its own deadline); default: the run's. */
  teardownTimeoutMs?: number;
}

/** `interrupted`: the abort signal fired; `failed`: a setup threw on its own. */
export type TaskRunStatus = 'completed' | 'interrupted' | 'failed';

export interface TaskRun {
  status: TaskRunStatus;
  /** The task whose setup did not complete. */
  stoppedAt?: string;
  /** What stopped it: the setup's error, or the abort signal's reason. */
  error?: unknown;
  teardownErrors: { title: string; error: unknown }[];
}

export interface TaskRunOptions {
  signal: AbortSignal;
  /** How long one teardown may take before it is given up as failed. */
  teardownTimeoutMs: number;
  /** Told as soon as a setup does not complete, before the teardowns run. */
  onStop?(run: TaskRun): void;
}

export async function runTasks<Context>(tasks: readonly Task<Context>[], context: Context, options: TaskRunOptions): Promise<TaskRun> {
  const teardowns: Task<Context>[] = [];
  let run: TaskRun = { status: 'completed', teardownErrors: [] };
  for (const task of tasks) {
    if (options.signal.aborted) {
      run = { status: 'interrupted', stoppedAt: task.title, error: options.signal.reason, teardownErrors: [] };
      break;
    }
    if (task.teardown) teardowns.push(task);
    if (!task.setup) continue;
    const outcome = await settleWithin(task.setup(context), options);
    if (outcome.ok) continue;
    run = { status: options.signal.aborted ? 'interrupted' : 'failed', stoppedAt: task.title, error: options.signal.aborted ? options.signal.reason : outcome.error, teardownErrors: [] };
    break;
  }
  if (run.status !== 'completed') options.onStop?.(run);
  for (const task of teardowns.reverse()) {
    const outcome = await withDeadline(task.teardown!(context), task.teardownTimeoutMs ?? options.teardownTimeoutMs, `teardown of ${task.title}`);
    if (!outcome.ok) run.teardownErrors.push({ title: task.title, error: outcome.error });
  }
  return run;
}

type Settled = { ok: true } | { ok: false; error: unknown };

/**
 * Races a setup against the abort signal. When the signal wins, the setup is still given up to a
 * teardown's deadline to notice it and settle: a fault half-way through injecting must finish
 * recording what it changed before its revert runs.
 */
async function settleWithin(setup: Promise<void>, options: TaskRunOptions): Promise<Settled> {
  const settled = setup.then((): Settled => ({ ok: true }), (error: unknown): Settled => ({ ok: false, error }));
  let onAbort = () => {};
  const aborted = new Promise<'aborted'>((resolve) => {
    onAbort = () => resolve('aborted');
    if (options.signal.aborted) onAbort();
    else options.signal.addEventListener('abort', onAbort, { once: true });
  });
  const first = await Promise.race([settled, aborted]);
  options.signal.removeEventListener('abort', onAbort);
  if (first !== 'aborted') return first;
  await withDeadline(settled, options.teardownTimeoutMs, 'setup');
  return { ok: false, error: options.signal.reason };
}

/** Resolves with the promise's outcome, or a timeout error after `ms` (never, when `ms` is infinite). */
export async function withDeadline(promise: Promise<unknown>, ms: number, what: string): Promise<Settled> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Settled>((resolve) => {
    if (Number.isFinite(ms)) timer = setTimeout(() => resolve({ ok: false, error: new Error(`${what} did not finish within ${ms}ms`) }), ms);
  });
  try {
    return await Promise.race([promise.then((): Settled => ({ ok: true }), (error: unknown): Settled => ({ ok: false, error })), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
