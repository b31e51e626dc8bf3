import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * Provenance: every AWS call that changed something while a drill ran, with the request id AWS
 * answered with (the id CloudTrail records the call under), so an auditor can match the drill's
 * record to the account's own log. The drill runs inside `recordAwsChanges`; the middleware every
 * client gets (`src/aws/clients.ts`) adds to the log of the drill whose async work made the call.
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

const activeLog = new AsyncLocalStorage<AwsChange[]>();

export async function recordAwsChanges<T>(log: AwsChange[], run: () => Promise<T>): Promise<T> {
  return activeLog.run(log, run);
}

/** The log of the drill this call belongs to, if any. */
export function currentAwsChangeLog(): AwsChange[] | undefined {
  return activeLog.getStore();
}

/** Reads change nothing; everything else (Create, Put, Update, Delete, Start, Stop, Failover, Invoke…) may. */
const READ_ONLY_OPERATION = /^(Get|List|Describe|Head|Lookup|Search|Query|Scan|BatchGet|Select|Test|Simulate|Estimate|Preview|Check|Validate|Verify)([A-Z]|$)/;

export function changesSomething(operation: string): boolean {
  return !READ_ONLY_OPERATION.test(operation);
}
