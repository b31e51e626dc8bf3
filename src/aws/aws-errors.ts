/** Whether an SDK call failed with one of AWS's own error codes (the SDK puts the code in `name`). */
export function isAwsError(error: unknown, ...codes: string[]): error is Error {
  return error instanceof Error && codes.includes(error.name);
}
