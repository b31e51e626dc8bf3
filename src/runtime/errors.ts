/**
 * Errors with stable codes that map to the documented exit codes: 2 (`EXIT.invalid`) for anything
 * wrong with what the user gave us (scenario, environment, arguments, setup), so CI can tell
 * "the drill found a problem" (1) from "the drill could not be run" (2).
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

/**
 * The exit codes, one per way a command can end, so CI tells them apart without reading
 * `result.json`: a drill's outcome by name (`passed` 0, `failed` 1 — a finding, `aborted` 3 —
 * a guardrail or a person stopped it, `errored` 4 — the harness broke, not evidence), and
 * `invalid` 2 — nothing ran (bad scenario, environment, arguments, a locked environment).
 */
export const EXIT = { passed: 0, failed: 1, invalid: 2, aborted: 3, errored: 4 } as const;
