/**
 * Provenance: every AWS call that changed something while a drill ran, with the request id AWS
 * answered with (the id CloudTrail records the call under), so an auditor can match the drill's
 * record to the account's own log. The drill hands its log to every AWS target it gives out
 * (`AwsTarget.changeLog`), and the middleware every client gets (`src/aws/clients.ts`) adds to it.
 * Explicit rather than an AsyncLocalStorage: on Node 20 that puts a hook on every promise of the
 * process, the probes' too, for ~7 % of the probe engine's CPU a sample (bench/README.md).
 */
export interface AwsChange {
  service: string;
  operation: string;
  region: string;
  /** When the call was sent (wall clock). */
  at: string;
  /** `$metadata.requestId` of the response (or of the error, when the call failed). */
  requestId: string | null;
  httpStatus: number | null;
  /** The error's name when AWS refused the call. */
  error?: string;
}

/** Reads change nothing; everything else (Create, Put, Update, Delete, Start, Stop, Failover, Invoke…) may. */
const READ_ONLY_OPERATION = /^(Get|List|Describe|Head|Lookup|Search|Query|Scan|BatchGet|Select|Test|Simulate|Estimate|Preview|Check|Validate|Verify)([A-Z]|$)/;

export function changesSomething(operation: string): boolean {
  return !READ_ONLY_OPERATION.test(operation);
}
