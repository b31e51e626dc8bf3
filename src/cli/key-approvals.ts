import type { GameDayControls } from '../gameday/game-day.js';

/** The terminal the view reads keys from: process.stdin on a terminal, any stream in tests. */
export interface KeyInput {
  on(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
  off(event: 'data', listener: (chunk: Buffer | string) => void): unknown;
  setRawMode?(raw: boolean): unknown;
  resume(): unknown;
  pause(): unknown;
}

export const APPROVE_KEY = 'a';
/** What Ctrl-C arrives as once the terminal is raw (raw mode turns the signal off). */
const CTRL_C = '\x03';

/**
 * The terminal view's key: `a` approves the gate that has waited longest, as `by`. The terminal is
 * put in raw mode so one key is enough; Ctrl-C then arrives as a byte, and is handed to `onInterrupt`.
 * Returns the function that gives the terminal back.
 */
export function approveOnKey(options: { input: KeyInput; controls: Pick<GameDayControls, 'pending' | 'approve'>; by: string; log(line: string): void; onInterrupt(): void }): () => void {
  const { input, controls, log } = options;
  const onData = (chunk: Buffer | string) => {
    for (const key of chunk.toString()) {
      if (key === CTRL_C) options.onInterrupt();
      if (key.toLowerCase() !== APPROVE_KEY) continue;
      const [oldest] = controls.pending();
      if (!oldest) {
        log('no gate is waiting for approval');
        continue;
      }
      controls.approve(oldest.gate, options.by, 'cli');
    }
  };
  input.setRawMode?.(true);
  input.on('data', onData);
  input.resume();
  return () => {
    input.off('data', onData);
    input.setRawMode?.(false);
    input.pause();
  };
}
