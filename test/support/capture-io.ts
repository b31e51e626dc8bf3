import type { Io } from '../../src/cli/io.js';

/** An `Io` for calling `main()` in-process: it records every line and never touches the process's signals. */
export interface CapturedIo {
  io: Io;
  /** Everything written, stdout and stderr, in order. */
  text(): string;
}

export function captureIo(cwd: string): CapturedIo {
  const chunks: string[] = [];
  const io: Io = {
    cwd,
    isTty: false,
    out: (line) => chunks.push(`${line}\n`),
    err: (line) => chunks.push(`${line}\n`),
    write: (text) => chunks.push(text),
    interrupts: () => new AbortController().signal,
  };
  return { io, text: () => chunks.join('') };
}
