import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { LAB_ALARMS, pointPrimaryRecord, publishHealth, setAlarm, type ControlPlaneClients, type LabZone } from './control-plane.js';
import type { GroundTruth } from './ground-truth.js';

/**
 * The lab's failover controller: it plays the customer's automation. It health-checks the
 * primary through the same path users take, detects after M failures out of the last N checks
 * (the notification-only health alarm goes to ALARM), waits a decision delay during which the
 * primary must stay down (the decision alarm's datapoints), then runs the strategy's recovery
 * steps and pins the PRIMARY record to the recovery address, so a recovered primary does not
 * take traffic back. Failback is manual. In manual mode a person decides (POST /decide).
 */
export type ControllerPhase = 'healthy' | 'detected' | 'deciding' | 'recovering' | 'failed-over';

export interface ControllerOptions {
  healthUrl: string;
  intervalMs: number;
  timeoutMs: number;
  /** M of N: detected when at least `failures` of the last `window` checks failed. */
  failures: number;
  window: number;
  decisionDelayMs: number;
  region: string;
  mode: 'automatic' | 'manual';
  /** The strategy's recovery (promote, scale up, restore), run before the DNS switch. */
  recover: () => Promise<void>;
  /** Called after each change to the zone, before it counts as made: the lab's nameserver reads it then. */
  zoneChanged: () => Promise<void>;
}

export interface Controller {
  readonly phase: ControllerPhase;
  readonly statusUrl: string;
  failback(): Promise<void>;
  /** For manual mode: a person's decision to fail over. */
  decide(): void;
  stop(): Promise<void>;
}

export async function startController(options: ControllerOptions, clients: ControlPlaneClients, zone: LabZone, truth: GroundTruth): Promise<Controller> {
  let phase: ControllerPhase = 'healthy';
  const recent: boolean[] = [];
  let downSince: number | null = null;
  let decisionRequested = false;
  const timestamps: Record<string, number> = {};
  let stopped = false;

  const checkOnce = async (): Promise<boolean> => {
    try {
      const res = await request(options.healthUrl, { headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs, signal: AbortSignal.timeout(options.timeoutMs), reset: true });
      await res.body.dump();
      return res.statusCode < 500;
    } catch {
      return false;
    }
  };

  /** The pin (or the failback), in sync once the lab's nameserver answers it. */
  const switchPrimaryRecord = async (address: string) => {
    const change = await pointPrimaryRecord(clients.route53, zone, address);
    await options.zoneChanged();
    return change;
  };

  /** Decide (the decision alarm), recover (the strategy's steps), then switch DNS (the pin). */
  const failOver = async () => {
    phase = 'recovering';
    timestamps.decidedAt = await setAlarm(clients.cloudwatch, LAB_ALARMS.decision, 'ALARM', `primary down for ${options.decisionDelayMs}ms`);
    truth.record('decided', timestamps.decidedAt);
    await options.recover();
    const change = await switchPrimaryRecord(zone.recoveryAddress);
    timestamps.switchedAt = change.submittedAt;
    truth.record('dns-switched', change.submittedAt, { insyncAt: change.insyncAt });
    phase = 'failed-over';
  };

  const tick = async () => {
    const healthy = await checkOnce();
    if (stopped) return;
    recent.push(healthy);
    if (recent.length > options.window) recent.shift();
    await publishHealth(clients.cloudwatch, options.region, healthy).catch(() => {});
    const failures = recent.filter((ok) => !ok).length;
    if (phase === 'healthy' && failures >= options.failures) {
      downSince = Date.now();
      const at = await setAlarm(clients.cloudwatch, LAB_ALARMS.health, 'ALARM', `${failures} of the last ${recent.length} health checks failed`);
      timestamps.detectedAt = at;
      truth.record('detected', at);
      phase = 'detected';
    } else if (phase === 'detected' && healthy && failures === 0) {
      await setAlarm(clients.cloudwatch, LAB_ALARMS.health, 'OK', 'primary healthy again before a decision');
      phase = 'healthy';
      downSince = null;
    } else if (phase === 'detected' && !healthy) {
      const due = options.mode === 'automatic' ? Date.now() - downSince! >= options.decisionDelayMs : decisionRequested;
      if (due) await failOver();
    } else if (phase === 'failed-over' && healthy && failures === 0) {
      // The primary is back, but the PRIMARY record stays pinned to the recovery side.
      await setAlarm(clients.cloudwatch, LAB_ALARMS.health, 'OK', 'primary healthy again (record stays pinned)');
    }
  };

  const loop = (async () => {
    while (!stopped) {
      const started = Date.now();
      await tick().catch(() => {});
      const wait = Math.max(0, started + options.intervalMs - Date.now());
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  })();

  const failback = async () => {
    const change = await switchPrimaryRecord(zone.primaryAddress);
    await setAlarm(clients.cloudwatch, LAB_ALARMS.decision, 'OK', 'manual failback');
    await setAlarm(clients.cloudwatch, LAB_ALARMS.health, 'OK', 'manual failback');
    truth.record('failback', change.submittedAt);
    phase = 'healthy';
    recent.length = 0;
    decisionRequested = false;
    for (const key of Object.keys(timestamps)) delete timestamps[key];
  };

  const server: Server = createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/failback') {
      failback().then(
        () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ phase })),
        (error: Error) => res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: error.message })),
      );
      return;
    }
    if (req.method === 'POST' && req.url === '/decide') {
      decisionRequested = true;
      res.writeHead(202, { 'content-type': 'application/json' }).end(JSON.stringify({ phase }));
      return;
    }
    const status = { phase, mode: options.mode, detected: timestamps.detectedAt !== undefined, decided: timestamps.decidedAt !== undefined, switched: timestamps.switchedAt !== undefined, ...timestamps };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(status));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const statusUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/status`;

  return {
    get phase() { return phase; },
    statusUrl,
    decide() { decisionRequested = true; },
    failback,
    async stop() {
      stopped = true;
      await loop;
      await new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });
    },
  };
}
