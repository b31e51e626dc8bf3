import { spawn, type ChildProcess } from 'node:child_process';
import { open, readFile } from 'node:fs/promises';
import { locateBinaries, spawnOptionsFor, type RunAs } from './postgres-os.js';

/** A postmaster this process started, supervised by PID. */
export interface Postmaster {
  pid: number;
  /** Resolves with the exit code (null when killed by a signal) once the postmaster is gone. */
  exited: Promise<number | null>;
  /** `fast` shuts down cleanly (SIGINT); `immediate` is a crash (SIGQUIT); both escalate when it hangs. */
  stop(mode: 'fast' | 'immediate'): Promise<void>;
  /** The last lines of its log, for error messages. */
  logTail(): Promise<string>;
}

/** Postmasters that still run: a crash of this process must not orphan them. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGQUIT');
});

export async function spawnPostmaster(dataDir: string, logPath: string, ids: RunAs): Promise<Postmaster> {
  const bin = await locateBinaries();
  const log = await open(logPath, 'a');
  let child: ChildProcess;
  try {
    child = spawn(bin.postgres, ['-D', dataDir], spawnOptionsFor(ids, { stdio: ['ignore', log.fd, log.fd], cwd: dataDir }));
  } finally {
    await log.close();
  }
  child.once('error', () => undefined); // a failed spawn also emits 'exit'
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  const logTail = () => tailOf(logPath);
  if (child.pid === undefined) throw new Error(`expected ${bin.postgres} to start, it did not: ${await logTail()}`);
  const pid = child.pid;
  running.add(child);
  void exited.then(() => running.delete(child));
  return { pid, exited, logTail, stop: (mode) => stopChild(child, exited, mode) };
}

async function stopChild(child: ChildProcess, exited: Promise<unknown>, mode: 'fast' | 'immediate'): Promise<void> {
  const steps: Array<{ signal: NodeJS.Signals; graceMs: number }> = [
    ...(mode === 'fast' ? [{ signal: 'SIGINT' as const, graceMs: 15_000 }] : []),
    { signal: 'SIGQUIT', graceMs: 5_000 },
    { signal: 'SIGKILL', graceMs: 5_000 },
  ];
  for (const { signal, graceMs } of steps) {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    if (await settlesWithin(exited, graceMs)) return;
  }
  throw new Error(`expected PostgreSQL (pid ${child.pid}) to exit after SIGKILL, it is still running`);
}

async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolveTimeout) => { timer = setTimeout(() => resolveTimeout(false), ms); });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function tailOf(path: string): Promise<string> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text.trim().split('\n').slice(-10).join('\n') || '(empty log)';
}
