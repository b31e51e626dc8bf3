import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { startControlApi, type ControlApi } from '../src/faults/blackhole-control-api.js';
import { NoFaultError, type BlackholeProxy, type ProxyFault, type ProxyState } from '../src/faults/blackhole-proxy.js';
import type { GroundTruth } from './ground-truth.js';

/**
 * The fault surfaces the strategy drills inject through.
 *
 * The Region outage: one blackhole control (the blackhole proxy's own API, so the `blackhole`
 * fault kind drives it unchanged) that takes the whole primary Region's network dark at once:
 * the app, the database's client port and the replication link. Black-holing only the app would
 * let the replica keep streaming, and nothing would ever be lost.
 *
 * The replication hold-back: an application-style fault hook (for the `http-hook` kind) that
 * black-holes the replication link and answers once the link has been dark for `lagMs`, so a
 * Region outage injected next strands the writes of those `lagMs`. The runner injects faults
 * back to back; the hook's answer is what puts time between the two.
 */
export interface FaultControl {
  url: string;
  close(): Promise<void>;
}

export interface RegionOutageControl extends FaultControl {
  /** The members as one proxy, for the lab's own actors (the FIS executor). */
  proxy: BlackholeProxy;
}

type Position = () => Promise<Record<string, unknown>>;

/** Serves `members` as one blackhole proxy; every switch is recorded in the ground truth with the replication position. */
export async function startRegionOutageControl(name: string, members: BlackholeProxy[], truth: GroundTruth, position: Position): Promise<RegionOutageControl> {
  let api: ControlApi | undefined;
  const combined: BlackholeProxy = {
    name,
    listenAddress: members[0]!.listenAddress,
    get controlUrl() { return api?.url; },
    state: () => combinedState(name, members),
    setFault(fault: ProxyFault, options?: { leaseMs?: number }) {
      for (const member of members) member.setFault(fault, options);
      const state = combinedState(name, members);
      recordWithPosition(truth, 'fault-on', state.changedAt, { target: name, mode: fault.mode }, position);
      return state;
    },
    clearFault() {
      const wasOn = members.some((m) => m.state().mode !== 'pass');
      for (const member of members) member.clearFault();
      const state = combinedState(name, members);
      if (wasOn) truth.record('fault-off', state.changedAt, { target: name });
      return state;
    },
    renewLease() {
      const faulted = members.filter((m) => m.state().mode !== 'pass');
      if (faulted.length === 0) throw new NoFaultError(`"${name}" has no fault set: there is no lease to renew`);
      for (const member of faulted) member.renewLease();
      return combinedState(name, members);
    },
    close: async () => api?.close(),
  };
  api = await startControlApi(combined, { host: '127.0.0.1', port: 0 });
  return { url: api.url, proxy: combined, close: () => combined.close() };
}

/** The member in a fault speaks for all (a Region is dark if any of its links is), else the first. */
function combinedState(name: string, members: BlackholeProxy[]): ProxyState {
  const states = members.map((m) => m.state());
  const speaker = states.find((s) => s.mode !== 'pass') ?? states[0]!;
  return {
    ...speaker,
    name,
    changedAt: Math.max(...states.map((s) => s.changedAt)),
    connections: states.reduce((sum, s) => sum + s.connections, 0),
    upstream: states.map((s) => `${s.name}→${s.upstream}`).join(', '),
  };
}

const HOLD_LEASE_MS = 120_000;
const MAX_LAG_MS = 60_000;

/**
 * `POST /hold-back {"lagMs": 2000}`: black-holes `link` and answers when it has been dark for
 * `lagMs`. `DELETE /hold-back`: lets replication through again. `GET /state`: the link's state.
 */
export async function startReplicationHoldBack(link: BlackholeProxy, truth: GroundTruth, position: Position): Promise<FaultControl> {
  const server = createServer((req, res) => {
    const send = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    const route = `${req.method} ${req.url}`;
    if (route === 'GET /state') return send(200, link.state());
    if (route === 'DELETE /hold-back') {
      const wasOn = link.state().mode !== 'pass';
      const state = link.clearFault();
      if (wasOn) truth.record('fault-off', state.changedAt, { target: link.name });
      return send(200, state);
    }
    if (route !== 'POST /hold-back') return send(404, { error: `no route ${route}; expected POST /hold-back, DELETE /hold-back or GET /state` });
    void readLag(req).then(async (lagMs) => {
      const state = link.setFault({ mode: 'drop' }, { leaseMs: HOLD_LEASE_MS });
      recordWithPosition(truth, 'fault-on', state.changedAt, { target: link.name, mode: 'drop', lagMs }, position);
      await delay(lagMs);
      send(200, { ...link.state(), heldSince: state.changedAt, lagMs });
    }, (error: Error) => send(400, { error: error.message }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      const closed = once(server, 'close');
      server.close();
      server.closeAllConnections();
      await closed;
    },
  };
}

async function readLag(req: AsyncIterable<Buffer>): Promise<number> {
  let text = '';
  for await (const chunk of req) text += chunk.toString('utf8');
  const lagMs = (JSON.parse(text || '{}') as { lagMs?: unknown }).lagMs;
  if (typeof lagMs !== 'number' || !Number.isInteger(lagMs) || lagMs < 0 || lagMs > MAX_LAG_MS) {
    throw new Error(`body: expected {"lagMs": N} with N a whole number of milliseconds from 0 to ${MAX_LAG_MS}, got ${text.slice(0, 80)}`);
  }
  return lagMs;
}

function recordWithPosition(truth: GroundTruth, event: 'fault-on', wallMs: number, detail: Record<string, unknown>, position: Position): void {
  void position().catch((error: Error) => ({ positionError: error.message })).then((at) => truth.record(event, wallMs, { ...detail, ...at }));
}
