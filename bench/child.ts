import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A benchmark script run in its own Node process, through tsx like the tests, so it has its own event loop and memory figures. */
export function spawnBench(script: string, args: readonly string[]): ChildProcess {
  const path = fileURLToPath(new URL(script, import.meta.url));
  return spawn(process.execPath, ['--import', 'tsx', path, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
}

/**
 * Runs a script to its end and returns the JSON object it printed last. A script still running
 * after `timeoutMs` is killed (by its handle) and the promise rejects with a `ChildTimeout`.
 */
export function runBenchChild<T>(script: string, args: readonly string[], options: { timeoutMs?: number } = {}): Promise<T> {
  const child = spawnBench(script, args);
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => { out += chunk; });
  return new Promise((resolve, reject) => {
    const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => {
      reject(new ChildTimeout(`did not finish within ${Math.round(options.timeoutMs! / 1000)}s`));
      child.kill('SIGKILL');
    }, options.timeoutMs);
    child.once('error', reject);
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const last = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0) return reject(new Error(`${script} ${args.join(' ')} exited with ${code ?? signal}`));
      try {
        resolve(JSON.parse(last) as T);
      } catch {
        reject(new Error(`${script} printed no JSON result, got: ${last.slice(0, 200)}`));
      }
    });
  });
}

export class ChildTimeout extends Error {}

/** Starts the trivial target server in its own process; `stop()` ends that process by its handle. */
export async function startTargetServer(): Promise<{ url: string; stop(): Promise<void> }> {
  const child = spawnBench('./target-server.ts', []);
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the target server exited with ${code} before listening`)));
    child.stdout!.setEncoding('utf8').once('data', (line: string) => resolve((JSON.parse(line) as { port: number }).port));
  });
  return {
    url: `http://127.0.0.1:${port}/`,
    stop: () => new Promise((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}
