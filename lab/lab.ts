import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cloudWatchClient, emulatorTarget, fisClient, route53Client } from '../src/aws/clients.js';
import { setMotoTransition, startMoto, type Emulator } from './emulator.js';
import { LAB_SUBNET_ARNS, regionOutageAction, startFisExecutor } from './fis-executor.js';
import { startBlackholeProxy, type BlackholeProxy } from '../src/faults/blackhole-proxy.js';
import type { Environment } from '../src/scenario/environment.js';
import { ordersRoutes, startAppServer, type AppRoute, type AppServer } from './app-server.js';
import { answerFailover, answerMultivalue, createLabZone, LAB_APP_NAME, type ControlPlaneClients, type LabZone } from './control-plane.js';
import { startController, type Controller } from './controller.js';
import { startLabDatabase, type LabDatabase } from './database.js';
import { createQueryPool } from './query-pool.js';
import { keepAnswerCopy } from './answer-copy.js';
import { startDnsServer, type DnsAnswer, type DnsServer } from './dns-server.js';
import { databaseShopStore, memoryShopStore, shopRoutes } from './web-page.js';
import { GroundTruth } from './ground-truth.js';
import { parseStrategy, recover, shapeOf, type LabStrategy, type StrategyShape } from './strategies.js';
import { startRegionOutageControl, startReplicationHoldBack } from './strategy-faults.js';

/**
 * The lab: a local two-Region copy of the reference architecture on loopback. Each Region has
 * an app server; the primary sits behind the blackhole proxy (the "Region outage"); DNS answers
 * from the hosted zone held in the AWS emulator; the failover controller plays the customer's
 * automation and writes its own ground truth. Timings are scaled down to seconds.
 *
 * With a database (the default when a strategy is chosen) the lab runs one of the four DR
 * strategies (see strategies.ts) over PostgreSQL (see database.ts), and a Region outage is one
 * control, `regionControl`, that takes the app, the database's client port and the replication
 * link dark together. The plain lab (no strategy) keeps no database and starts fast.
 * `FIREDRILL_LAB_STRATEGY` chooses the strategy when the caller does not (for `firedrill lab up`
 * and `firedrill demo`).
 */
export const LAB_REGIONS = { primary: 'us-east-1', recovery: 'us-west-2' } as const;
export const LAB_ACCOUNT = '123456789012';
const ADDRESSES = { primary: '127.0.0.10', primaryOrigin: '127.0.0.11', recovery: '127.0.0.20' };
/** How soon a change to the zone the lab did not make itself reaches its DNS answers (see answer-copy.ts). */
const ZONE_REFRESH_MS = 1_000;

export interface LabOptions {
  /** Where the lab keeps its state, ground truth and data (created). */
  dir: string;
  projectDir: string;
  /** An emulator already running; otherwise the lab starts its own moto. */
  awsEndpoint?: string;
  controller?: Partial<{ intervalMs: number; timeoutMs: number; failures: number; window: number; decisionDelayMs: number; mode: 'automatic' | 'manual' }>;
  dnsTtlSeconds?: number;
  /** The DR strategy; default warm standby (without a database: the plain demo lab). */
  strategy?: LabStrategy;
  /** PostgreSQL primary and replica (or backups); default true when `strategy` is given. */
  database?: boolean;
  /** Backup and restore: how often the primary is backed up. Default 3 s. */
  backupIntervalMs?: number;
  /** Pilot light and backup and restore: how long the recovery app's instances take to start. Default 1.5 s. */
  scaleUpDelayMs?: number;
  /** Backup and restore: modelled time to provision the restored cluster. Default 3 s. */
  restoreProvisionMs?: number;
  /** Instances an app runs at full capacity. Default 2. */
  capacity?: number;
  /** How long each FIS experiment state lasts in the emulator (so `running`, the fault, lasts this long). */
  fisStateSeconds?: number;
}

/** What scenarios use as `${lab.NAME}`. */
export interface LabVars {
  appUrl: string;
  appName: string;
  appPort: number;
  primaryUrl: string;
  recoveryUrl: string;
  dns: string;
  proxyControl: string;
  controllerStatus: string;
  awsEndpoint: string;
  hostedZoneId: string;
  primaryRegion: string;
  recoveryRegion: string;
  primaryAddress: string;
  recoveryAddress: string;
  strategy: LabStrategy;
  /** One control that takes the primary Region's network dark: app, database clients, replication link. */
  regionControl: string;
  /** The primary "subnet" an FIS experiment targets to take the primary Region down. */
  primarySubnetArn: string;
  /** With a database: connection strings of the primary (through its Region's network) and the recovery Region's database. */
  primaryDb?: string;
  recoveryDb?: string;
  /** With a replica: the replication link's blackhole control, and the hold-back hook (`POST /hold-back {"lagMs"}`). */
  replicationLinkControl?: string;
  replicationHoldBack?: string;
  backupIntervalMs?: number;
  scaleUpDelayMs: number;
}

export interface Lab {
  vars: LabVars;
  environment: Environment;
  truth: GroundTruth;
  proxy: BlackholeProxy;
  controller: Controller;
  zone: LabZone;
  apps: { primary: AppServer; recovery: AppServer };
  database: LabDatabase | undefined;
  stop(): Promise<void>;
}

export function labEnvironment(vars: LabVars): Environment {
  return {
    name: 'lab',
    aws: { accounts: [LAB_ACCOUNT], regions: [LAB_REGIONS.primary, LAB_REGIONS.recovery], endpoints: { default: vars.awsEndpoint }, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, metricsRegion: LAB_REGIONS.primary },
    vars: {},
    namespaces: { lab: { ...vars } },
  };
}

/** The same port on two loopback addresses, so a DNS switch changes only the address. */
async function listenOnSharedPort(start: (port: number) => Promise<{ port: number }>, second: (port: number) => Promise<unknown>): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const first = await start(0);
    try {
      await second(first.port);
      return first.port;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 5) throw error;
    }
  }
}

export async function startLab(options: LabOptions): Promise<Lab> {
  mkdirSync(options.dir, { recursive: true });
  const stack: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const close of stack.splice(0).reverse()) await close().catch(() => {});
  };
  try {
    rmSync(join(options.dir, 'ground-truth.ndjson'), { force: true });
    const truth = new GroundTruth(join(options.dir, 'ground-truth.ndjson'));
    let emulator: Emulator | undefined;
    if (!options.awsEndpoint) {
      emulator = await startMoto({ projectDir: options.projectDir });
      stack.push(() => emulator!.stop());
    }
    const awsEndpoint = options.awsEndpoint ?? emulator!.endpoint;
    const clients: ControlPlaneClients = {
      route53: route53Client(emulatorTarget(awsEndpoint, LAB_REGIONS.primary)),
      cloudwatch: cloudWatchClient(emulatorTarget(awsEndpoint, LAB_REGIONS.primary)),
    };

    const strategy = options.strategy ?? strategyFromEnv() ?? 'warm-standby';
    const capacity = options.capacity ?? 2;
    const scaleUpDelayMs = options.scaleUpDelayMs ?? 1_500;
    const backupIntervalMs = options.backupIntervalMs ?? 3_000;
    const shape = shapeOf(strategy, capacity);
    let database: LabDatabase | undefined;
    if (options.database ?? (options.strategy !== undefined || strategyFromEnv() !== undefined)) {
      const restoreProvisionMs = options.restoreProvisionMs ?? 3_000;
      database = await startLabDatabase({ dir: join(options.dir, 'db'), truth, replica: shape.replica, backupIntervalMs, restoreProvisionMs, regions: LAB_REGIONS });
      stack.push(() => database!.stop());
    }
    const routesFor = (region: string): AppRoute[] => {
      if (!database) return shopRoutes(region, memoryShopStore());
      const pool = createQueryPool(); // each Region's app holds its own connections
      stack.push(() => pool.close());
      const orders = { writer: () => database!.writer(), reader: () => database!.readerIn(region), query: pool.query };
      return [...ordersRoutes(region, orders), ...shopRoutes(region, databaseShopStore(region, orders))];
    };

    const primary = await startAppServer({ region: LAB_REGIONS.primary, host: ADDRESSES.primaryOrigin, port: 0, instances: capacity, routes: routesFor(LAB_REGIONS.primary) });
    stack.push(() => primary.close());
    let proxy!: BlackholeProxy;
    let recovery!: AppServer;
    const appPort = await listenOnSharedPort(
      async (port) => {
        proxy = await startBlackholeProxy({ name: 'primary-region', listen: { host: ADDRESSES.primary, port }, upstream: { host: primary.host, port: primary.port }, control: { host: '127.0.0.1', port: 0 } });
        return proxy.listenAddress;
      },
      async (port) => {
        try {
          recovery = await startAppServer({
            region: LAB_REGIONS.recovery, host: ADDRESSES.recovery, port, instances: shape.recoveryInstances, routes: routesFor(LAB_REGIONS.recovery),
            // Users reach the app by its name; direct checks of the recovery Region and data canaries are not users.
            onServed: (e) => {
              const decided = truth.first('decided');
              if (!decided || !e.host.startsWith(LAB_APP_NAME) || e.canary !== undefined) return;
              if (!truth.first('first-recovery-serve', decided.wallMs)) truth.record('first-recovery-serve', e.wallMs, { path: e.path });
            },
          });
        } catch (error) {
          await proxy.close();
          throw error;
        }
      },
    );
    stack.push(() => proxy.close(), () => recovery.close());

    const position = async () => (database ? database.replicationPosition() : {});
    const regionNetwork = [proxy, ...(database ? [database.clientProxy] : []), ...(database?.linkProxy ? [database.linkProxy] : [])];
    const regionControl = await startRegionOutageControl('primary-region-network', regionNetwork, truth, position);
    stack.push(() => regionControl.close());
    // FIS actions on the primary subnet take the same Region network dark while the experiment runs.
    await setMotoTransition(awsEndpoint, 'fis::experiment', { progression: 'time', seconds: options.fisStateSeconds ?? 4 });
    const fis = fisClient(emulatorTarget(awsEndpoint, LAB_REGIONS.primary));
    const fisExecutor = startFisExecutor({
      fis, pollMs: 250, truth,
      actions: [regionOutageAction(LAB_SUBNET_ARNS.primary, () => regionControl.proxy.setFault({ mode: 'drop' }), () => regionControl.proxy.clearFault())],
    });
    stack.push(async () => { await fisExecutor.stop(); fis.destroy(); });
    const holdBack = database?.linkProxy ? await startReplicationHoldBack(database.linkProxy, truth, position) : undefined;
    if (holdBack) stack.push(() => holdBack.close());

    const dnsTtl = options.dnsTtlSeconds ?? 1;
    const zone = await createLabZone(clients, { primaryAddress: ADDRESSES.primary, recoveryAddress: ADDRESSES.recovery, ttl: dnsTtl, region: LAB_REGIONS.primary, decisionDatapoints: 3 });
    const answers = await keepAnswerCopy(() => appAnswer(clients, zone, shape.answers), ZONE_REFRESH_MS);
    stack.push(async () => answers.close());
    const dns: DnsServer = await startDnsServer({ host: '127.0.0.1', port: 0, answer: ({ name }) => (name === LAB_APP_NAME ? answers.current() : undefined) });
    stack.push(() => dns.close());

    const c = options.controller ?? {};
    const controller = await startController({
      healthUrl: `http://${ADDRESSES.primary}:${appPort}/health`,
      intervalMs: c.intervalMs ?? 200,
      timeoutMs: c.timeoutMs ?? 300,
      failures: c.failures ?? 2,
      window: c.window ?? 3,
      decisionDelayMs: c.decisionDelayMs ?? 1_000,
      region: LAB_REGIONS.primary,
      mode: c.mode ?? 'automatic',
      recover: () => recover(strategy, { database, recoveryApp: recovery, truth, capacity, scaleUpDelayMs }),
      zoneChanged: () => answers.refresh(),
    }, clients, zone, truth);
    stack.push(() => controller.stop());
    stack.push(async () => { clients.route53.destroy(); clients.cloudwatch.destroy(); });

    const vars: LabVars = {
      appUrl: `http://${LAB_APP_NAME}:${appPort}/`,
      appName: LAB_APP_NAME,
      appPort,
      primaryUrl: `http://${ADDRESSES.primary}:${appPort}/`,
      recoveryUrl: `http://${ADDRESSES.recovery}:${appPort}/`,
      dns: `${dns.host}:${dns.port}`,
      proxyControl: proxy.controlUrl!,
      controllerStatus: controller.statusUrl,
      awsEndpoint,
      hostedZoneId: zone.hostedZoneId,
      primaryRegion: LAB_REGIONS.primary,
      recoveryRegion: LAB_REGIONS.recovery,
      primaryAddress: ADDRESSES.primary,
      recoveryAddress: ADDRESSES.recovery,
      strategy,
      regionControl: regionControl.url,
      primarySubnetArn: LAB_SUBNET_ARNS.primary,
      scaleUpDelayMs,
      ...(database ? { primaryDb: database.primaryUrl, recoveryDb: database.recoveryUrl } : {}),
      ...(database?.linkProxy ? { replicationLinkControl: database.linkProxy.controlUrl!, replicationHoldBack: holdBack!.url } : {}),
      ...(database && !shape.replica ? { backupIntervalMs } : {}),
    };
    writeFileSync(join(options.dir, 'state.json'), JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString(), vars }, null, 2));
    stack.push(async () => rmSync(join(options.dir, 'state.json'), { force: true }));
    return { vars, environment: labEnvironment(vars), truth, proxy, controller, zone, apps: { primary, recovery }, database, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** What DNS answers for the app: the failover records' pick, or (active/active) every Region's address. */
async function appAnswer(clients: ControlPlaneClients, zone: LabZone, answers: StrategyShape['answers']): Promise<DnsAnswer> {
  if (answers === 'multivalue') {
    const answer = await answerMultivalue(clients, zone);
    return { records: answer.addresses.map((address) => ({ type: 'A' as const, address, ttl: answer.ttl })) };
  }
  const answer = await answerFailover(clients, zone);
  return { records: [{ type: 'A', address: answer.address, ttl: answer.ttl }] };
}

function strategyFromEnv(): LabStrategy | undefined {
  const text = process.env.FIREDRILL_LAB_STRATEGY;
  return text ? parseStrategy(text, 'FIREDRILL_LAB_STRATEGY') : undefined;
}
