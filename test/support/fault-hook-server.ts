import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A small system of the test's own: `/` (and `/app`) answers 503 for `outageMs` after
 * `POST /fault/on`, then recovers by itself; `/fault/off` ends it; `/fault/broken` answers 500.
 */
export interface FaultHookServer {
  /** `http://127.0.0.1:PORT/` */
  base: string;
  /** Whether the fault is switched on (not yet switched off). */
  faultOn(): boolean;
  stop(): Promise<void>;
}

export async function startFaultHookServer(outageMs: number): Promise<FaultHookServer> {
  let faultOnAt: number | undefined;
  const server = createServer((req, res) => {
    const down = faultOnAt !== undefined && Date.now() - faultOnAt < outageMs;
    if (req.url === '/fault/on') faultOnAt = Date.now();
    if (req.url === '/fault/off') faultOnAt = undefined;
    if (req.url === '/fault/broken') res.statusCode = 500;
    else if ((req.url === '/' || req.url === '/app') && down) res.statusCode = 503;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    faultOn: () => faultOnAt !== undefined,
    stop: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
