import pg from 'pg';

/**
 * One PostgreSQL session on a fresh connection that must finish within `timeoutMs`, connect
 * included. On the deadline the socket is destroyed: a black-holed server never answers a polite
 * goodbye, and a pooled connection would hang on it.
 */
export async function withPgSession<T>(connectionString: string, timeoutMs: number, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: timeoutMs, statement_timeout: timeoutMs });
  client.on('error', () => undefined); // surfaced through the pending call
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs}ms`)), timeoutMs);
  });
  try {
    return await Promise.race([client.connect().then(() => use(client)), deadline]);
  } catch (error) {
    client.connection.stream.destroy();
    throw error;
  } finally {
    clearTimeout(timer);
    void client.end().catch(() => undefined);
  }
}
