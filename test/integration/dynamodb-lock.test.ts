import { CreateTableCommand, GetItemCommand, PutItemCommand, UpdateTimeToLiveCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { dynamoDbClient, emulatorTarget } from '../../src/aws/clients.js';
import { startMoto, type Emulator } from '../../lab/emulator.js';
import { exactInstant } from '../../src/core/measurement.js';
import type { FaultKind } from '../../src/faults/fault.js';
import { runDrill } from '../../src/runner/drill.js';
import { schemasOf, type Kinds } from '../../src/runner/kinds.js';
import { locksFor } from '../../src/runner/lock.js';
import { FiredrillError } from '../../src/runtime/errors.js';
import { loadEnvironments, type Environment } from '../../src/scenario/environment.js';
import { loadScenarioObject } from '../../src/scenario/load.js';
import type { ScenarioInput } from '../../src/scenario/schema.js';
import { refusalOf } from '../support/failure-of.js';

/**
 * The shared environment lock against moto's DynamoDB: conditional writes decide who holds it,
 * as they would for two CI runners. Each test locks its own environment name in one table.
 */
const projectDir = fileURLToPath(new URL('../..', import.meta.url));
const REGION = 'us-east-1';
const TABLE = 'firedrill-locks';

describe('DynamoDB environment lock (moto)', function () {
  this.timeout(60_000);
  let moto: Emulator;
  let db: DynamoDBClient;
  let dir: string;

  const environment = (name: string, table = TABLE): Environment => ({
    name,
    vars: {},
    aws: { accounts: ['123456789012'], regions: [REGION], endpoints: { default: moto.endpoint }, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } },
    lock: { dynamodb: { table, region: REGION } },
  });
  /** Each call uses its own state folder: the lock must hold across machines, not through a local file. */
  const machine = (n: number) => join(dir, `machine-${n}`);
  const acquire = (env: Environment, drillId: string, ttlMs = 60_000, on = 1) => locksFor(env, machine(on)).acquire({ environment: env.name, drillId, ttlMs });
  const holderOf = async (env: string) => (await db.send(new GetItemCommand({ TableName: TABLE, Key: { environment: { S: env } }, ConsistentRead: true }))).Item?.drillId?.S;

  before(async function () {
    moto = await startMoto({ projectDir });
    db = dynamoDbClient(emulatorTarget(moto.endpoint, REGION));
    await db.send(new CreateTableCommand({
      TableName: TABLE,
      KeySchema: [{ AttributeName: 'environment', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'environment', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }));
    await db.send(new UpdateTimeToLiveCommand({ TableName: TABLE, TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } }));
  });
  after(async function () {
    db?.destroy();
    await moto?.stop();
  });
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'firedrill-dynamodb-lock-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a second drill on the same environment, naming the first; after release it can be taken again', async () => {
    const env = environment('staging-a');
    const first = await acquire(env, 'drill-one', 60_000, 1);
    const error = await refusalOf(acquire(env, 'drill-two', 60_000, 2));
    expect(error.code).to.equal('FIREDRILL_LOCKED');
    expect(error.message).to.match(/^environment "staging-a" is locked by drill drill-one \(owner [^/]+\/\d+, until \d{4}-\d\d-\d\dT[\d:.]+Z\): one drill per environment at a time$/);
    expect(await holderOf('staging-a')).to.equal('drill-one');

    await first.release();
    expect(await holderOf('staging-a')).to.equal(undefined);
    const second = await acquire(env, 'drill-two', 60_000, 2);
    expect(await holderOf('staging-a')).to.equal('drill-two');
    await second.release();
  });

  it('takes over a lock whose owner died and whose expiry has passed', async () => {
    const env = environment('staging-b');
    const past = Math.floor(Date.now() / 1000) - 30;
    await db.send(new PutItemCommand({ TableName: TABLE, Item: {
      environment: { S: env.name }, drillId: { S: 'dead-drill' }, owner: { S: 'gone-runner/4242' },
      acquiredAt: { S: new Date((past - 600) * 1000).toISOString() }, expiresAt: { N: String(past) },
    } }));
    const lock = await acquire(env, 'drill-after-crash');
    expect(await holderOf(env.name)).to.equal('drill-after-crash');
    await lock.release();
  });

  it('a release after being taken over leaves the new holder\'s lock in place', async () => {
    const env = environment('staging-c');
    const expired = await acquire(env, 'slow-drill', -10_000, 1);
    const taker = await acquire(env, 'next-drill', 60_000, 2);
    await expired.release();
    expect(await holderOf(env.name)).to.equal('next-drill');
    const error = await refusalOf(acquire(env, 'third-drill', 60_000, 3));
    expect(error.message).to.include('locked by drill next-drill');
    await taker.release();
    expect(await holderOf(env.name)).to.equal(undefined);
  });

  it('does not block a different environment', async () => {
    const east = await acquire(environment('staging-d'), 'drill-d');
    const west = await acquire(environment('staging-e'), 'drill-e');
    expect([await holderOf('staging-d'), await holderOf('staging-e')]).to.deep.equal(['drill-d', 'drill-e']);
    await east.release();
    await west.release();
  });

  it('a missing table is an environment error that names the table and Region', async () => {
    const error = await refusalOf(acquire(environment('staging-f', 'no-such-locks'), 'drill-f'));
    expect(error.code).to.equal('FIREDRILL_ENVIRONMENT_INVALID');
    expect(error.message).to.include('DynamoDB table "no-such-locks" in us-east-1 does not exist');
  });

  it('the config file\'s lock.dynamodb section reaches the environment, and a bad one is refused', () => {
    const file = join(dir, 'firedrill.config.yaml');
    writeFileSync(file, `environments:\n  staging:\n    lock:\n      dynamodb: { table: ${TABLE}, region: ${REGION} }\n`);
    expect(loadEnvironments(file).staging!.lock).to.deep.equal({ dynamodb: { table: TABLE, region: REGION } });
    writeFileSync(file, 'environments:\n  staging:\n    lock:\n      dynamodb: { table: x }\n');
    let error: unknown;
    try { loadEnvironments(file); } catch (e) { error = e; }
    expect(error).to.be.instanceOf(FiredrillError);
    expect((error as FiredrillError).code).to.equal('FIREDRILL_ENVIRONMENT_INVALID');
    expect((error as FiredrillError).message).to.include('lock.dynamodb');
  });

  describe('runDrill', () => {
    /** A fault whose inject waits for the test to open `gate`; `injected` tells which drills reached it. */
    const gatedKinds = (injected: string[], reached: () => void, gate: Promise<void>): Kinds => {
      const fault: FaultKind<Record<string, never>> = {
        kind: 'gated',
        settings: z.strictObject({}),
        plan: () => ['wait at the gate'],
        async inject(_settings, ctx) {
          injected.push(ctx.drillId);
          reached();
          await gate;
          return { at: exactInstant(ctx.clock.now()), state: {} };
        },
        async revert() {},
        async verifyReverted() {},
      };
      return {
        probes: { healthy: { settings: z.strictObject({}), create: (name) => ({ name, intervalMs: 10, timeoutMs: 200, sample: async () => ({ ok: true, region: REGION, status: 200 }), close: async () => {} }) } },
        signals: {}, canaries: {}, faults: { gated: fault }, steps: {},
      };
    };
    const SCENARIO: ScenarioInput = {
      scenario: 'shared-lock',
      faults: [{ name: 'outage', kind: 'gated' }],
      probes: [{ name: 'app', kind: 'healthy' }],
      milestones: { recovered: { probe: 'app', consecutive: 2 } },
      steadyState: { window: '30ms' },
      observe: { timeout: '2s', settle: '10ms' },
      verify: { window: '30ms' },
      targets: { rto: '5s' },
      guardrails: { maxDuration: '20s' },
    };

    it('refuses a second concurrent drill from another machine before it injects anything', async () => {
      const env = environment('staging-drill');
      const injected: string[] = [];
      let reached!: () => void;
      const firstInjecting = new Promise<void>((resolve) => { reached = resolve; });
      let openGate!: () => void;
      const gate = new Promise<void>((resolve) => { openGate = resolve; });
      const run = (drillId: string, on: number) => {
        const kinds = gatedKinds(injected, reached, gate);
        const scenario = loadScenarioObject(SCENARIO, 'shared-lock.scenario.ts', env, schemasOf(kinds));
        return runDrill({ scenario, environment: env, kinds, drillId, outDir: join(dir, drillId), stateDir: machine(on) });
      };

      const first = run('first-drill', 1);
      try {
        await firstInjecting;
        const error = await refusalOf(run('second-drill', 2));
        expect(error.code).to.equal('FIREDRILL_LOCKED');
        expect(error.message).to.include('environment "staging-drill" is locked by drill first-drill');
        expect(injected).to.deep.equal(['first-drill']);
      } finally {
        openGate();
      }
      const result = await first;
      expect(result.outcome, JSON.stringify(result.aborted)).to.equal('passed');
      expect(await holderOf(env.name), 'the finished drill released its lock').to.equal(undefined);
    });
  });
});
