/** What commands need from the process, so black-box tests can run them too. */
export interface Io {
  cwd: string;
  isTty: boolean;
  out(line: string): void;
  err(line: string): void;
  write(text: string): void;
  /** Aborted on SIGINT/SIGTERM, with the signal's name as the reason. */
  interrupts(): AbortSignal;
}

export function processIo(): Io {
  return {
    cwd: process.cwd(),
    isTty: Boolean(process.stdout.isTTY),
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    write: (text) => process.stdout.write(text),
    interrupts() {
      const controller = new AbortController();
      const onSignal = (signal: NodeJS.Signals) => {
        if (controller.signal.aborted) {
          process.stderr.write(`\n${signal} again: still reverting faults, please wait\n`);
          return;
        }
        process.stderr.write(`\n${signal} received: stopping the drill and reverting every fault\n`);
        controller.abort(`${signal} received`);
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      return controller.signal;
    },
  };
}
