import type pg from 'pg';
import { newPgClient, withinDeadline } from '../src/runtime/pg-session.js';
import type { OrdersDatabase } from './app-server.js';

/**
 * An app's connections to its databases, held between requests as a real app's pool holds them.
 * With a new connection per request every order paid a PostgreSQL backend's start and
 * authentication (3–18 ms on this machine), the first one after a failover included. A connection
 * that fails or misses its deadline is destroyed, never reused (a black-holed database never
 * answers, and the next request would hang on it too); one its server closed leaves the pool.
 */
export interface QueryPool {
  query: OrdersDatabase['query'];
  close(): Promise<void>;
}

const MAX_IDLE_PER_DATABASE = 4;

export function createQueryPool(): QueryPool {
  const idle = new Map<string, pg.Client[]>();
  let closed = false;

  const leave = (connectionString: string, client: pg.Client) => {
    const clients = idle.get(connectionString);
    const at = clients?.indexOf(client) ?? -1;
    if (at >= 0) clients!.splice(at, 1);
  };
  const open = (connectionString: string, timeoutMs: number) => {
    const client = newPgClient(connectionString, timeoutMs);
    client.once('end', () => leave(connectionString, client));
    return client;
  };
  const giveBack = (connectionString: string, client: pg.Client) => {
    const clients = idle.get(connectionString) ?? [];
    if (closed || clients.length >= MAX_IDLE_PER_DATABASE) return void client.end().catch(() => undefined);
    clients.push(client);
    idle.set(connectionString, clients);
  };

  return {
    async query(connectionString, sql, params, timeoutMs) {
      const held = idle.get(connectionString)?.pop();
      const client = held ?? open(connectionString, timeoutMs);
      const rows = await withinDeadline(client, timeoutMs, async () => {
        if (!held) await client.connect();
        return (await client.query(sql, params)).rows as Array<Record<string, unknown>>;
      });
      giveBack(connectionString, client);
      return rows;
    },
    /** Drops every idle connection without a goodbye: one to a black-holed database would wait for its answer forever. */
    async close() {
      closed = true;
      for (const client of [...idle.values()].flat()) client.connection.stream.destroy();
      idle.clear();
    },
  };
}
