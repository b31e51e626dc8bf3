/*
 * Route 53 adapters against moto 5.2.5. Gaps observed in moto (for the README's emulator notes):
 * - GetHealthCheckStatus always answers one us-east-1 observation "Success: HTTP Status Code: 200"
 *   with CheckedTime = now, whatever the endpoint or (for CLOUDWATCH_METRIC) the alarm says; no
 *   health check ever turns unhealthy, so the 18% rule is tested as a pure function.
 * - No failover evaluation: PRIMARY / SECONDARY records are stored, never answered on health.
 * - ListResourceRecordSets ignores StartRecordIdentifier and never answers NextRecordIdentifier,
 *   so members of a routing group that straddle a page boundary cannot be paged to (the reader
 *   refuses instead of looping); names are compared case-sensitively (send them lower-case).
 * - ChangeInfo is INSYNC at once, so the PENDING → INSYNC poll is not exercised; GetChange works
 *   but answers a SubmittedAt of its own call, not the change's.
 */
import { fileURLToPath } from 'node:url';
import {
  ChangeResourceRecordSetsCommand, CreateHealthCheckCommand, CreateHostedZoneCommand, type ResourceRecordSet, type Route53Client,
} from '@aws-sdk/client-route-53';
import { expect } from 'chai';
import { emulatorTarget, route53Client, type AwsTarget } from '../../src/aws/clients.js';
import { startMoto, type Emulator } from '../../lab/emulator.js';
import { createClock } from '../../src/core/clock.js';
import type { JsonObject } from '../../src/core/json.js';
import type { FaultContext } from '../../src/faults/fault.js';
import { createRoute53HealthCheckSignal, healthFromObservations } from '../../src/signals/route53-health-check.js';
import { describeRecordSet, readRecordSet } from '../../src/aws/route53-records.js';
import { createRoute53RecordSignal } from '../../src/signals/route53-record.js';
import { createRoute53RecordChange, route53RecordChangeSettings } from '../../src/steps/route53-record-change.js';

const projectDir = fileURLToPath(new URL('../..', import.meta.url));
const NAME = 'app.drill.test.';
const ctx = { signal: new AbortController().signal };

describe('Route 53 health rule (pure)', function () {
  const checkers = (succeeded: number, total: number) =>
    Array.from({ length: total }, (_, i) => ({ status: i < succeeded ? 'Success: HTTP Status Code 200, OK' : 'Failure: Connection timed out.' }));
  const cases: [succeeded: number, total: number, expected: 'healthy' | 'unhealthy'][] = [
    [0, 16, 'unhealthy'],
    [2, 16, 'unhealthy'], // 12.5%
    [3, 16, 'healthy'], // 18.75% > 18%
    [16, 16, 'healthy'],
    [0, 0, 'unhealthy'],
    [1, 1, 'healthy'],
    [9, 50, 'unhealthy'], // exactly 18% is not more than 18%
    [10, 50, 'healthy'],
  ];
  for (const [succeeded, total, expected] of cases) {
    it(`${succeeded}/${total} checkers reporting success is ${expected}`, function () {
      expect(healthFromObservations(checkers(succeeded, total))).to.equal(expected);
    });
  }
});

describe('Route 53 on moto', function () {
  let moto: Emulator;
  let target: AwsTarget;
  let r53: Route53Client;
  let zoneId: string;
  const resolveTarget = () => target;

  before(async function () {
    moto = await startMoto({ projectDir });
    target = emulatorTarget(moto.endpoint, 'us-east-1');
    r53 = route53Client(target);
    const zone = await r53.send(new CreateHostedZoneCommand({ Name: 'drill.test', CallerReference: 'route53-test' }));
    zoneId = zone.HostedZone!.Id!;
    // The failover pair, with neighbours on both sides so a listing has records to walk past.
    await upsert(
      { Name: 'aaa.drill.test', Type: 'A', TTL: 60, ResourceRecords: [{ Value: '10.9.9.9' }] },
      { Name: NAME, Type: 'A', TTL: 30, SetIdentifier: 'primary', Failover: 'PRIMARY', ResourceRecords: [{ Value: '10.0.0.2' }, { Value: '10.0.0.1' }] },
      { Name: NAME, Type: 'A', TTL: 30, SetIdentifier: 'secondary', Failover: 'SECONDARY', ResourceRecords: [{ Value: '10.1.0.1' }] },
      { Name: NAME, Type: 'TXT', TTL: 60, ResourceRecords: [{ Value: '"v=1"' }] },
      { Name: 'zzz.drill.test', Type: 'A', TTL: 60, ResourceRecords: [{ Value: '10.8.8.8' }] },
    );
  });

  after(async function () {
    r53?.destroy();
    await moto?.stop();
  });

  async function upsert(...records: ResourceRecordSet[]): Promise<void> {
    await r53.send(new ChangeResourceRecordSetsCommand({
      HostedZoneId: zoneId,
      ChangeBatch: { Changes: records.map((ResourceRecordSet) => ({ Action: 'UPSERT' as const, ResourceRecordSet })) },
    }));
  }

  const read = (name: string, setIdentifier?: string) => readRecordSet(r53, { hostedZoneId: zoneId, recordName: name, type: 'A', ...(setIdentifier ? { setIdentifier } : {}) });

  describe('health-check signal', function () {
    it('reads the checkers moto reports (always one success) as healthy, with per-checker detail', async function () {
      const created = await r53.send(new CreateHealthCheckCommand({
        CallerReference: 'hc-primary',
        HealthCheckConfig: { Type: 'HTTP', IPAddress: '127.0.0.1', Port: 9, ResourcePath: '/health', RequestInterval: 10, FailureThreshold: 1 },
      }));
      const signal = createRoute53HealthCheckSignal('primary-health', { healthCheckId: created.HealthCheck!.Id!, interval: '5s' }, resolveTarget);
      try {
        expect(signal.intervalMs).to.equal(5_000);
        const seen = await signal.observe(ctx);
        expect(seen.state).to.equal('healthy');
        expect(seen.since).to.equal(undefined);
        const checkers = seen.detail?.checkers as { region: string; status: string; checkedTime: string }[];
        expect(checkers).to.have.length(1);
        expect(checkers[0]).to.include({ region: 'us-east-1' });
        expect(checkers[0]!.status).to.match(/^Success/);
        expect(Date.parse(checkers[0]!.checkedTime)).to.be.closeTo(Date.now(), 60_000);
      } finally {
        await signal.close();
      }
    });
  });

  describe('record signal', function () {
    it('reads each member of a failover pair by its set identifier, values sorted', async function () {
      const primary = createRoute53RecordSignal('primary', { hostedZoneId: zoneId, recordName: NAME, setIdentifier: 'primary' }, resolveTarget);
      const secondary = createRoute53RecordSignal('secondary', { hostedZoneId: zoneId, recordName: 'APP.drill.test', setIdentifier: 'secondary' }, resolveTarget);
      try {
        const p = await primary.observe(ctx);
        expect(p.state).to.equal('10.0.0.1,10.0.0.2');
        expect(p.detail).to.include({ failover: 'PRIMARY', ttl: 30, setIdentifier: 'primary', present: true });
        expect((await secondary.observe(ctx)).state).to.equal('10.1.0.1');
      } finally {
        await primary.close();
        await secondary.close();
      }
    });

    it('sees an UPSERT of the record it watches', async function () {
      await upsert({ Name: 'moving.drill.test', Type: 'A', TTL: 30, ResourceRecords: [{ Value: '10.0.0.1' }] });
      const signal = createRoute53RecordSignal('moving', { hostedZoneId: zoneId, recordName: 'moving.drill.test' }, resolveTarget);
      try {
        expect((await signal.observe(ctx)).state).to.equal('10.0.0.1');
        await upsert({ Name: 'moving.drill.test', Type: 'A', TTL: 30, ResourceRecords: [{ Value: '10.1.0.7' }, { Value: '10.1.0.5' }] });
        expect((await signal.observe(ctx)).state).to.equal('10.1.0.5,10.1.0.7');
      } finally {
        await signal.close();
      }
    });

    it('says absent for a record that is not there', async function () {
      const signal = createRoute53RecordSignal('missing', { hostedZoneId: zoneId, recordName: 'nothing.drill.test', type: 'AAAA' }, resolveTarget);
      try {
        const seen = await signal.observe(ctx);
        expect(seen.state).to.equal('absent');
        expect(seen.detail).to.include({ present: false });
      } finally {
        await signal.close();
      }
    });

    it('pages through a failover pair only as far as the endpoint lets it', async function () {
      const primary = await readRecordSet(r53, { hostedZoneId: zoneId, recordName: NAME, type: 'A', setIdentifier: 'primary' }, { pageSize: 1 });
      expect(describeRecordSet(primary)).to.equal('10.0.0.1,10.0.0.2');
      // moto sends no NextRecordIdentifier, so page 2 would repeat page 1: refused, not looped on.
      let error: unknown;
      await readRecordSet(r53, { hostedZoneId: zoneId, recordName: NAME, type: 'A', setIdentifier: 'secondary' }, { pageSize: 1 }).catch((e: unknown) => { error = e; });
      expect(String(error)).to.include(`did not advance past ${NAME} A: expected a NextRecordIdentifier`);
      const tail = await readRecordSet(r53, { hostedZoneId: zoneId, recordName: 'zzz.drill.test', type: 'A' }, { pageSize: 1 });
      expect(describeRecordSet(tail)).to.equal('10.8.8.8');
    });

    it('refuses to guess which member of a pair is meant', async function () {
      let error: unknown;
      await read(NAME).catch((e: unknown) => { error = e; });
      expect(String(error)).to.include('only records with set identifiers (primary, secondary)');
    });
  });

  describe('record-change step', function () {
    const step = createRoute53RecordChange(resolveTarget);

    function faultContext() {
      const remembered: { state: JsonObject; recordAtThatMoment: string }[] = [];
      const logs: string[] = [];
      const context: FaultContext = {
        clock: createClock(),
        signal: new AbortController().signal,
        drillId: 'test-drill',
        async remember(state) {
          remembered.push({ state, recordAtThatMoment: describeRecordSet(await read(NAME, 'primary')) });
        },
        log: (message) => logs.push(message),
      };
      return { context, remembered, logs };
    }

    const pinToSecondary = (revert: boolean) => route53RecordChangeSettings.parse({
      hostedZoneId: zoneId, recordName: NAME, setIdentifier: 'primary', failover: 'PRIMARY', values: ['10.1.0.1'], revert,
    });

    it('plans the UPSERT and its revert', function () {
      expect(step.plan(pinToSecondary(true))).to.deep.equal([
        `route53:ChangeResourceRecordSets UPSERT ${NAME} A [PRIMARY primary] -> 10.1.0.1`,
        `route53:ChangeResourceRecordSets UPSERT ${NAME} A [PRIMARY primary] -> its values before the change (DELETE if it did not exist), on revert`,
      ]);
      expect(step.plan(pinToSecondary(false))[1]).to.match(/^no revert \(revert: false\)/);
    });

    it('pins the record, remembering the old one first, and reverts it', async function () {
      const settings = pinToSecondary(true);
      const { context, remembered } = faultContext();
      const before = Date.now();
      const injection = await step.inject(settings, context);
      const after = Date.now();

      expect(remembered).to.have.length(1);
      expect(remembered[0]!.recordAtThatMoment).to.equal('10.0.0.1,10.0.0.2');
      expect(remembered[0]!.state).to.deep.equal(injection.state);
      expect((remembered[0]!.state.previous as JsonObject).SetIdentifier).to.equal('primary');
      const pinned = await read(NAME, 'primary');
      expect(describeRecordSet(pinned)).to.equal('10.1.0.1');
      expect(pinned).to.include({ Failover: 'PRIMARY', TTL: 30 });

      // Moto stamps SubmittedAt with the wall clock; the drill's clock is monotonic, anchored to the
      // wall clock at its start, so the two may differ by a few milliseconds.
      const clockDomains = 5;
      const submitted = context.clock.anchorWallMs + injection.at.t;
      expect(submitted).to.be.within(before - clockDomains, after + clockDomains);
      expect(injection.at.lower).to.equal(injection.at.upper);
      expect(injection.detail).to.include({ from: '10.0.0.1,10.0.0.2', to: '10.1.0.1' });
      expect(Date.parse(String(injection.detail?.insyncObservedAt))).to.be.at.least(Date.parse(String(injection.detail?.submittedAt)) - clockDomains);

      let notYet: unknown;
      await step.verifyReverted(settings, injection.state, context).catch((e: unknown) => { notYet = e; });
      expect(String(notYet)).to.include('expected 10.0.0.1,10.0.0.2, found 10.1.0.1');

      const revertedAt = await step.revert(settings, injection.state, context);
      expect(revertedAt?.t).to.be.at.least(injection.at.t);
      expect(describeRecordSet(await read(NAME, 'primary'))).to.equal('10.0.0.1,10.0.0.2');
      await step.verifyReverted(settings, injection.state, context);
      await step.revert(settings, injection.state, context);
      await step.verifyReverted(settings, injection.state, context);
    });

    it('deletes on revert a record it created', async function () {
      const settings = route53RecordChangeSettings.parse({ hostedZoneId: zoneId, recordName: 'new.drill.test', values: ['10.2.0.1'] });
      const { context } = faultContext();
      const injection = await step.inject(settings, context);
      expect(injection.state.previous).to.equal(null);
      expect(describeRecordSet(await read('new.drill.test'))).to.equal('10.2.0.1');
      await step.revert(settings, injection.state, context);
      expect(await read('new.drill.test')).to.equal(undefined);
      await step.verifyReverted(settings, injection.state, context);
    });

    it('with revert: false leaves the pin in place and says so', async function () {
      const settings = pinToSecondary(false);
      const { context, logs } = faultContext();
      const original = (await read(NAME, 'primary'))!;
      const injection = await step.inject(settings, context);
      try {
        expect(await step.revert(settings, injection.state, context)).to.equal(undefined);
        expect(describeRecordSet(await read(NAME, 'primary'))).to.equal('10.1.0.1');
        await step.verifyReverted(settings, injection.state, context);
        expect(logs.join('\n')).to.include('revert: false');
        expect(injection.detail).to.include({ revert: false });
      } finally {
        await upsert(original);
      }
    });
  });
});
