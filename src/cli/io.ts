import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { KeyInput } from './key-approvals.js';

/** What commands need from the process, so black-box tests can run them too. */
export interface Io {
  cwd: string;
  isTty: boolean;
  out(line: string): void;
  err(line: string): void;
  write(text: string): void;
  /** Aborted on SIGINT/SIGTERM, with the signal's name as the reason. */
  interrupts(): AbortSignal;
  /** Keys typed at the terminal, when the drill runs in its foreground (a background process that reads its terminal is stopped). */
  keys?(): KeyInput | undefined;
}

export function processIo(): Io {
  return {
    cwd: process.cwd(),
    isTty: Boolean(process.stdout.isTTY),
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    write: (text) => process.stdout.write(text),
    keys: () => (process.stdin.isTTY && process.stdout.isTTY && inForeground() ? process.stdin : undefined),
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

/** Whether this process owns its terminal (its process group is the terminal's foreground group): /proc on Linux, else ps. */
function inForeground(): boolean {
  try {
    // /proc/self/stat: "pid (comm) state ppid pgrp session tty_nr tpgid …"; comm may hold spaces, so count from its ")".
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
    return fields[2] === fields[5];
  } catch {
    const ps = spawnSync('ps', ['-o', 'pgid=,tpgid=', '-p', String(process.pid)], { encoding: 'utf8' });
    const [pgid, tpgid] = ps.stdout.trim().split(/\s+/);
    return ps.status === 0 && pgid !== undefined && pgid === tpgid;
  }
}
