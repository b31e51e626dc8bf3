import pg from 'pg';

/**
 * One PostgreSQL session on a fresh connection that must finish within `timeoutMs`, connect
 * included. On the deadline the socket is destroyed: a black-holed server never answers a polite
 * goodbye, and a pooled connection would hang on it.
 */
export async function withPgSession<T>(connectionString: string, timeoutMs: number, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = newPgClient(connectionString, timeoutMs);
  try {
    return await withinDeadline(client, timeoutMs, async () => {
      await client.connect();
      return use(client);
    });
  } finally {
    void client.end().catch(() => undefined);
  }
}

/** A client whose connect and statements give up after `timeoutMs`; its errors surface through the pending call. */
export function newPgClient(connectionString: string, timeoutMs: number): pg.Client {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: timeoutMs, statement_timeout: timeoutMs });
  client.on('error', () => undefined);
  return client;
}

/** `work` on `client` within `timeoutMs`; when it fails or the deadline passes, the client's socket is destroyed. */
export async function withinDeadline<T>(client: pg.Client, timeoutMs: number, work: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs}ms`)), timeoutMs);
  });
  try {
    return await Promise.race([work(), deadline]);
  } catch (error) {
    client.connection.stream.destroy();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
