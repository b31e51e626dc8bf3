/** The error `promise` rejects with; fails the test when it resolves instead. */
export async function failureOf<E extends Error = Error>(promise: Promise<unknown>, expected = 'a failure'): Promise<E> {
  try {
    await promise;
  } catch (error) {
    return error as E;
  }
  throw new Error(`expected ${expected}, got success`);
}
