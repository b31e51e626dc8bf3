/**
 * Errors with stable codes that map to the documented exit codes:
 * 2 for anything wrong with what the user gave us (scenario, environment, arguments, setup),
 * so CI can tell "the drill found a problem" (1) from "the drill could not be run" (2).
 */
export type ErrorCode =
  | 'FIREDRILL_SCENARIO_INVALID'
  | 'FIREDRILL_ENVIRONMENT_INVALID'
  | 'FIREDRILL_NOT_ALLOWED'
  | 'FIREDRILL_NOT_CONFIRMED'
  | 'FIREDRILL_CREDENTIALS'
  | 'FIREDRILL_USAGE'
  | 'FIREDRILL_PREFLIGHT'
  | 'FIREDRILL_LOCKED'
  | 'FIREDRILL_JOURNAL_DIRTY';

export class FiredrillError extends Error {
  constructor(readonly code: ErrorCode, message: string, readonly problems: string[] = []) {
    super(problems.length ? `${message}\n${problems.map((p) => `  - ${p}`).join('\n')}` : message);
  }
}

export const EXIT = { passed: 0, failed: 1, invalid: 2 } as const;
