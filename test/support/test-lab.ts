import { join } from 'node:path';
import { startLab, type Lab } from '../../lab/lab.js';
import { Journal, type JournalEntry } from '../../src/runner/journal.js';
import { waitFor } from '../../src/runtime/wait.js';
import { PROJECT_DIR } from './cli-process.js';

/**
 * The lab started in the test's own process, with its state file under `<stateDir>/lab`, so a
 * `firedrill … --state-dir stateDir` child finds it as environment `lab`.
 */
export interface TestLab {
  lab: Lab;
  stateDir: string;
  /** The blackhole proxy's mode, read through its control API (`pass` when nothing is injected). */
  proxyMode(): Promise<string>;
  /** Whether a request through the proxy to the primary's health endpoint succeeds. */
  primaryAnswers(): Promise<boolean>;
  /** Every entry of the lab's journal in the state dir (none when the file does not exist). */
  journalEntries(): JournalEntry[];
  /** Waits for the controller to come to rest, then fails back to the primary, so the next drill starts from a healthy lab. */
  failBack(): Promise<void>;
  stop(): Promise<void>;
}

export async function startTestLab(stateDir: string): Promise<TestLab> {
  const lab = await startLab({ dir: join(stateDir, 'lab'), projectDir: PROJECT_DIR });
  const journal = Journal.forEnvironment(stateDir, 'lab');
  return {
    lab,
    stateDir,
    async proxyMode() {
      const response = await fetch(`${lab.vars.proxyControl}/state`);
      return ((await response.json()) as { mode: string }).mode;
    },
    async primaryAnswers() {
      try {
        const response = await fetch(`${lab.vars.primaryUrl}health`, { signal: AbortSignal.timeout(2_000) });
        await response.arrayBuffer();
        return response.ok;
      } catch {
        return false;
      }
    },
    journalEntries: () => journal.read(),
    async failBack() {
      await waitFor(() => lab.controller.phase === 'healthy' || lab.controller.phase === 'failed-over', { timeoutMs: 15_000, what: 'the lab controller to come to rest' });
      await lab.controller.failback();
    },
    stop: () => lab.stop(),
  };
}
