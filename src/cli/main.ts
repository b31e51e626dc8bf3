import { FiredrillError, EXIT } from '../runtime/errors.js';
import { approveCommand } from './approve-command.js';
import { cleanupCommand } from './cleanup-command.js';
import { demoCommand } from './demo-command.js';
import { iamPolicyCommand } from './iam-policy-command.js';
import type { Io } from './io.js';
import { labCommand } from './lab-command.js';
import { noteCommand } from './note-command.js';
import { runProxyCommand } from './proxy-command.js';
import { reportCommand } from './report-command.js';
import { lessonCommand, signoffCommand } from './review-commands.js';
import { planCommand, runCommand, validateCommand } from './run-command.js';
import { UsageError } from './usage-error.js';
import { setupCommand } from './setup-command.js';

const USAGE = `firedrill — chaos and disaster-recovery drills that measure detection, decision, failover, RTO and RPO

usage:
  firedrill run <scenario> [--env NAME] [--out DIR] [--confirm NAME]   run a drill (exit 0 passed, 1 failed, 2 invalid input, 3 aborted, 4 errored)
      [--ci] [--live] [--commander NAME] [--observer NAME]... [--scribe NAME]   game day / nightly CI (CI=true implies --ci)
      [--review DURATION]                             after the drill, hold its result open for lessons and sign-offs
      [--allure-results DIR]                          also write the drill as an allure result there
  firedrill approve <gate> [--as NAME] [--env NAME]   let a running drill's manual gate through
  firedrill note "text" [--kind observation|deviation|action --owner NAME --due DATE] [--as NAME]   a note on the running drill's timeline
  firedrill lesson "text" [--as NAME]                 a lesson learned, in the review of the drill that just ended
  firedrill signoff --role ROLE [--as NAME] [--close]   sign the reviewed drill's record; --close ends the review
  firedrill plan <scenario> [--env NAME]              print what would be injected, probed and asserted; inject nothing
  firedrill validate <scenario> [--env NAME]          check a scenario (needs nothing running)
  firedrill iam-policy <scenario> [--env NAME]        print the least-privilege IAM policy the drill's own AWS calls need
  firedrill cleanup [--env NAME] [--revert-timeout 2m]   revert faults a crashed drill left behind (from the journal)
  firedrill lab up|down|status|failback [--strategy S] [--manual]   the local two-Region lab
  firedrill proxy --listen H:P --upstream H:P [--control H:P]   a standalone blackhole proxy
  firedrill setup                                     install the AWS emulator (moto); start PostgreSQL to prove it runs
  firedrill demo [scenario] [--strategy S]            a complete drill on the built-in lab
  firedrill report junit|allure|chart|history|compliance|verify|sign-off|keygen ...
                                                      reports from drill output and the history ("firedrill report --help")
common options: --config FILE (default firedrill.config.yaml), --state-dir DIR (default .firedrill)`;

const COMMANDS: Record<string, (argv: string[], io: Io) => Promise<number>> = {
  run: runCommand,
  plan: planCommand,
  validate: validateCommand,
  'iam-policy': iamPolicyCommand,
  approve: approveCommand,
  note: noteCommand,
  lesson: lessonCommand,
  signoff: signoffCommand,
  cleanup: cleanupCommand,
  lab: labCommand,
  proxy: (argv) => runProxyCommand(argv),
  setup: setupCommand,
  demo: demoCommand,
  report: reportCommand,
};

export async function main(argv: string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  const command = name ? COMMANDS[name] : undefined;
  if (!command) {
    (name && name !== '--help' && name !== 'help' ? io.err : io.out)(name && !['--help', 'help'].includes(name) ? `unknown command "${name}"\n\n${USAGE}` : USAGE);
    return name && !['--help', 'help'].includes(name) ? EXIT.invalid : EXIT.passed;
  }
  if ((rest.includes('--help') || rest.includes('-h')) && name !== 'report') {
    io.out(usageOf(name!));
    return EXIT.passed;
  }
  try {
    return await command(rest, io);
  } catch (error) {
    if (error instanceof FiredrillError || error instanceof UsageError || (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`firedrill ${name}: ${(error as Error).message}`);
      return EXIT.invalid;
    }
    throw error;
  }
}

/** The usage lines of one command (with their continuation lines) and the common options. */
function usageOf(command: string): string {
  const lines = USAGE.split('\n');
  const own: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.startsWith(`  firedrill ${command} `)) continue;
    own.push(lines[i]!);
    while (lines[i + 1]?.startsWith('      ')) own.push(lines[++i]!);
  }
  return [`usage:`, ...own, lines.at(-1)!, '', 'every scenario field, by section and kind, with its default: docs/reference.md (JSON Schema for editors: schema/scenario.schema.json)'].join('\n');
}
