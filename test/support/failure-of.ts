import { FiredrillError } from '../../src/runtime/errors.js';

/** The error `promise` rejects with; fails the test when it resolves instead. */
export async function failureOf<E extends Error = Error>(promise: Promise<unknown>, expected = 'a failure'): Promise<E> {
  try {
    await promise;
  } catch (error) {
    return error as E;
  }
  throw new Error(`expected ${expected}, got success`);
}

/** The FiredrillError `promise` rejects with: a refusal with a code, not a crash. */
export async function refusalOf(promise: Promise<unknown>): Promise<FiredrillError> {
  const error = await failureOf(promise, 'a refusal');
  if (!(error instanceof FiredrillError)) throw new Error(`expected a FiredrillError, got ${error.stack ?? error}`);
  return error;
}
