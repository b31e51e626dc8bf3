import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The real `firedrill` command run as a child process, with a deadline, for black-box tests. */
export const PROJECT_DIR = resolve(fileURLToPath(new URL('../..', import.meta.url)));
export const FIREDRILL_BIN = join(PROJECT_DIR, 'bin', 'firedrill.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved in arrival order. */
  output: string;
}

export interface CliProcess {
  child: ChildProcess;
  pid: number;
  /** Everything printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with the first line matching `pattern`; rejects if the process exits or the deadline passes first. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<string>;
  exited: Promise<CliResult>;
}

export interface CliOptions {
  cwd?: string;
  /** Kill the process (SIGKILL, by its PID) and fail if it runs longer than this. */
  timeoutMs?: number;
  /** Variables set (or, when undefined, removed) in the child's environment: `CI`, `FIREDRILL_USER`. */
  env?: Record<string, string | undefined>;
  /** Run it on a pseudo-terminal (util-linux `script`), in its foreground, with `child.stdin` as the keyboard. */
  terminal?: boolean;
}

/** Whether `script` can give a child a pseudo-terminal here (util-linux's; the BSD one takes other arguments). */
export function hasPseudoTerminal(): boolean {
  return /util-linux/.test(spawnSync('script', ['--version'], { encoding: 'utf8' }).stdout ?? '');
}

export function startCli(args: string[], options: CliOptions = {}): CliProcess {
  const env = { ...process.env };
  delete env.FIREDRILL_STATE_DIR;
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  const command = [process.execPath, FIREDRILL_BIN, ...args];
  const quoted = command.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const child = options.terminal
    // -e: script exits with the command's code; -f: output as it comes; the transcript goes nowhere.
    ? spawn('script', ['-qefc', quoted, '/dev/null'], { cwd: options.cwd ?? PROJECT_DIR, env, stdio: ['pipe', 'pipe', 'pipe'] })
    : spawn(command[0]!, command.slice(1), { cwd: options.cwd ?? PROJECT_DIR, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let output = '';
  const listeners = new Set<() => void>();
  const notify = () => { for (const listener of [...listeners]) listener(); };
  child.stdout!.on('data', (chunk: Buffer) => { stdout += chunk; output += chunk; notify(); });
  child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk; output += chunk; notify(); });

  const timeoutMs = options.timeoutMs ?? 60_000;
  let timedOut = false;
  const killer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutMs);
  const exited = new Promise<CliResult>((resolvePromise, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(killer);
      notify();
      if (timedOut) reject(new Error(`firedrill ${args.join(' ')} ran longer than ${timeoutMs}ms and was killed; output:\n${output}`));
      else resolvePromise({ code, signal, stdout, stderr, output });
    });
  });
  exited.catch(() => {});

  const waitForLine = (pattern: RegExp, waitMs = 30_000) => new Promise<string>((resolvePromise, reject) => {
    const check = () => {
      const line = output.split('\n').find((l) => pattern.test(l));
      if (line !== undefined) return finish(() => resolvePromise(line));
      if (child.exitCode !== null || child.signalCode !== null) finish(() => reject(new Error(`firedrill ${args.join(' ')} exited before printing ${pattern}; output:\n${output}`)));
    };
    const timer = setTimeout(() => finish(() => reject(new Error(`no line matching ${pattern} within ${waitMs}ms; output:\n${output}`))), waitMs);
    const finish = (settle: () => void) => {
      clearTimeout(timer);
      listeners.delete(check);
      settle();
    };
    listeners.add(check);
    check();
  });

  return { child, pid: child.pid!, output: () => output, waitForLine, exited };
}

/** Runs `firedrill ARGS` to completion. */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return startCli(args, options).exited;
}
