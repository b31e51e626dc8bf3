/*
 * ECS adapters against moto 5.2.5 through the real @aws-sdk/client-ecs. Gaps observed in moto
 * (for the README's emulator notes):
 * - UpdateService sets runningCount to the new desiredCount at once (no tasks are started,
 *   pendingCount stays 0); MOTO_ECS_SERVICE_RUNNING only applies when a service is created.
 * - `events` is always empty and `deployments[0]` keeps the count the service was created with.
 * So the waits are exercised with a stand-in in front of moto that holds tasks pending until the
 * test lets them start, and writes ECS's "has reached a steady state" event when they all run.
 */
import { fileURLToPath } from 'node:url';
import { CreateClusterCommand, CreateServiceCommand, RegisterTaskDefinitionCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { expect } from 'chai';
import { ecsClient, emulatorTarget, type AwsTarget } from '../../src/aws/clients.js';
import { startMoto, type Emulator } from '../../lab/emulator.js';
import { readService } from '../../src/aws/ecs-services.js';
import { createEcsServiceSignal } from '../../src/signals/ecs-service.js';
import { createEcsDesiredCount, ecsDesiredCountSettings } from '../../src/steps/ecs-desired-count.js';
import { startAwsStandIn, type AwsStandIn } from '../support/aws-stand-in.js';
import { ecsTaskStart } from '../support/ecs-task-start.js';
import { recordingFaultContext } from '../support/fault-context.js';
import { always, burst, startHttpFaultProxy, type HttpFaultProxy } from '../support/http-fault-proxy.js';

const projectDir = fileURLToPath(new URL('../..', import.meta.url));
const REGION = 'us-west-2';
const CLUSTER = 'recovery';
const ctx = { signal: new AbortController().signal };

describe('ECS on moto', function () {
  let moto: Emulator;
  let ecs: ECSClient;
  let serial = 0;

  before(async function () {
    moto = await startMoto({ projectDir });
    ecs = ecsClient(emulatorTarget(moto.endpoint, REGION));
    await ecs.send(new CreateClusterCommand({ clusterName: CLUSTER }));
    await ecs.send(new RegisterTaskDefinitionCommand({ family: 'app', containerDefinitions: [{ name: 'app', image: 'app:1', memory: 128 }] }));
  });

  after(async function () {
    ecs?.destroy();
    await moto?.stop();
  });

  /** A new pilot-light service at desired count 0, so each test starts from its own. */
  async function pilotLightService(): Promise<string> {
    const name = `app-${++serial}`;
    await ecs.send(new CreateServiceCommand({ cluster: CLUSTER, serviceName: name, taskDefinition: 'app', desiredCount: 0, launchType: 'EC2' }));
    return name;
  }

  const countsOf = async (service: string) => {
    const s = await readService(ecs, { cluster: CLUSTER, service, region: REGION }, ctx.signal);
    return { desired: s.desiredCount, running: s.runningCount };
  };

  const settings = (service: string, extra: Record<string, unknown> = {}) =>
    ecsDesiredCountSettings.parse({ cluster: CLUSTER, service, region: REGION, desiredCount: 2, pollInterval: '50ms', ...extra });

  describe('desired-count step', function () {
    const direct = () => emulatorTarget(moto.endpoint, REGION);

    it('plans the UpdateService, the wait and its revert', function () {
      const step = createEcsDesiredCount(direct);
      expect(step.plan(settings('app'))).to.deep.equal([
        `ecs:UpdateService ${CLUSTER}/app (${REGION}) desiredCount -> 2, then wait up to 600000ms for 2 running tasks`,
        `ecs:UpdateService ${CLUSTER}/app (${REGION}) desiredCount -> its count before the change, on revert`,
      ]);
      expect(step.plan(settings('app', { revert: false }))[1]).to.equal(`no revert (revert: false): ${CLUSTER}/app keeps desiredCount 2`);
    });

    it('scales the pilot light up, remembering the count before the change, and scales it back on revert', async function () {
      const service = await pilotLightService();
      const step = createEcsDesiredCount(direct);
      const s = settings(service);
      const { context, remembered } = recordingFaultContext(() => countsOf(service));
      const injection = await step.inject(s, context);

      expect(remembered).to.have.length(1);
      expect(remembered[0]!.state).to.deep.equal({ previousDesiredCount: 0 });
      expect(remembered[0]!.resourceAtThatMoment).to.deep.equal({ desired: 0, running: 0 });
      expect(await countsOf(service)).to.deep.equal({ desired: 2, running: 2 });
      expect(injection.detail).to.include({ from: 0, to: 2, runningCount: 2, atSource: 'observed' });
      expect(injection.at.lower).to.be.at.most(injection.at.t);
      expect(Date.parse(String(injection.detail?.runningReachedAt))).to.be.at.least(Date.parse(String(injection.detail?.updateSentAt)));

      let notYet: unknown;
      await step.verifyReverted(s, injection.state, context).catch((e: unknown) => { notYet = e; });
      expect(String(notYet)).to.include(`${CLUSTER}/${service} is not reverted: expected desiredCount 0, found 2`);

      const revertedAt = await step.revert(s, injection.state, context);
      expect(revertedAt?.t).to.be.at.least(injection.at.t);
      expect(await countsOf(service)).to.deep.equal({ desired: 0, running: 0 });
      await step.verifyReverted(s, injection.state, context);
      await step.revert(s, injection.state, context);
      await step.verifyReverted(s, injection.state, context);
    });

    it('with revert: false keeps the new count and says so', async function () {
      const service = await pilotLightService();
      const step = createEcsDesiredCount(direct);
      const s = settings(service, { revert: false });
      const { context, logs } = recordingFaultContext(() => countsOf(service));
      const injection = await step.inject(s, context);
      expect(await step.revert(s, injection.state, context)).to.equal(undefined);
      await step.verifyReverted(s, injection.state, context);
      expect(await countsOf(service)).to.deep.equal({ desired: 2, running: 2 });
      expect(logs.join('\n')).to.include('revert: false');
    });

    it('refuses a service ECS does not know, before remembering or changing anything', async function () {
      const step = createEcsDesiredCount(direct);
      const { context, remembered } = recordingFaultContext(async () => null);
      let error: unknown;
      await step.inject(settings('no-such-service'), context).catch((e: unknown) => { error = e; });
      expect(String(error)).to.include(`ECS service ${CLUSTER}/no-such-service in ${REGION}: MISSING`);
      expect(remembered).to.deep.equal([]);
    });

    describe('through a fault proxy', function () {
      let proxy: HttpFaultProxy;
      before(async function () { proxy = await startHttpFaultProxy({ upstream: moto.endpoint }); });
      after(async function () { await proxy?.stop(); });

      it('rides out a burst of throttling (the SDK retries)', async function () {
        const service = await pilotLightService();
        const step = createEcsDesiredCount(() => emulatorTarget(proxy.endpoint, REGION));
        proxy.setPlan(burst(3, 'throttle'));
        const { context } = recordingFaultContext(() => countsOf(service));
        const injection = await step.inject(settings(service), context);
        expect(proxy.requests.filter((r) => r.answeredBy === 'proxy' && r.status === 400).map((r) => r.operation)).to.deep.equal(['DescribeServices', 'DescribeServices', 'DescribeServices']);
        expect(await countsOf(service)).to.deep.equal({ desired: 2, running: 2 });
        await step.revert(settings(service), injection.state, context);
      });

      it('fails, having changed nothing, when ECS throttles every attempt', async function () {
        const service = await pilotLightService();
        const step = createEcsDesiredCount(() => emulatorTarget(proxy.endpoint, REGION));
        proxy.setPlan(always('throttle'));
        const { context, remembered } = recordingFaultContext(() => countsOf(service));
        let error: unknown;
        try {
          await step.inject(settings(service), context);
        } catch (e) {
          error = e;
        }
        expect((error as Error).name).to.equal('ThrottlingException');
        expect(remembered).to.deep.equal([]);
        expect(await countsOf(service)).to.deep.equal({ desired: 0, running: 0 });
      });
    });

    describe('with tasks that take time to start (stand-in in front of moto)', function () {
      let standIn: AwsStandIn;
      const tasks = ecsTaskStart();
      const viaStandIn = (): AwsTarget => emulatorTarget(standIn.endpoint, REGION);
      before(async function () { standIn = await startAwsStandIn({ upstream: moto.endpoint, rewrite: tasks.rewrite }); });
      after(async function () { await standIn?.stop(); });
      beforeEach(function () { tasks.start(0); });

      it('waits while tasks are pending, and takes `at` from ECS\'s steady-state event', async function () {
        const service = await pilotLightService();
        const step = createEcsDesiredCount(viaStandIn);
        const signal = createEcsServiceSignal('recovery-app', { cluster: CLUSTER, service, region: REGION }, viaStandIn);
        try {
          expect((await signal.observe(ctx)).state).to.equal('idle');
          const { context } = recordingFaultContext(() => countsOf(service));
          const updated = standIn.nextRequest('UpdateService');
          const injecting = step.inject(settings(service), context);
          await updated;
          await standIn.nextRequest('DescribeServices');
          const pending = await signal.observe(ctx);
          expect(pending.state).to.equal('scaling');
          expect(pending.detail).to.include({ desiredCount: 2, runningCount: 0, pendingCount: 2 });

          const releasedT = context.clock.now();
          tasks.start(2);
          const injection = await injecting;
          expect(injection.detail).to.include({ atSource: 'ecs-event', runningCount: 2 });
          expect(injection.at.lower).to.equal(injection.at.upper);
          expect(injection.at.t).to.be.at.least(releasedT - 1_000); // ECS's clock has second resolution here
          const steady = await signal.observe(ctx);
          expect(steady.state).to.equal('steady');
          expect(steady.since?.getTime()).to.equal(context.clock.anchorWallMs + injection.at.t);
          await step.revert(settings(service), injection.state, context);
        } finally {
          await signal.close();
        }
      });

      it('times out naming what it last saw, with the old count on record so revert undoes it', async function () {
        const service = await pilotLightService();
        const step = createEcsDesiredCount(viaStandIn);
        const s = settings(service, { timeout: '500ms' });
        const { context, remembered } = recordingFaultContext(() => countsOf(service));
        let error: unknown;
        await step.inject(s, context).catch((e: unknown) => { error = e; });
        expect(String(error)).to.include(`timed out after 500ms waiting for ECS service ${CLUSTER}/${service} to run 2 tasks; last seen: desired 2, running 0, pending 2`);
        expect(remembered.map((r) => r.state)).to.deep.equal([{ previousDesiredCount: 0 }]);
        tasks.start(2);
        await step.revert(s, remembered[0]!.state, context);
        await step.verifyReverted(s, remembered[0]!.state, context);
        expect(await countsOf(service)).to.deep.equal({ desired: 0, running: 0 });
      });
    });
  });

  describe('service signal', function () {
    it('reads a missing service as an error that names it (the poll is unknown, never healthy)', async function () {
      const signal = createEcsServiceSignal('gone', { cluster: CLUSTER, service: 'gone', region: REGION }, () => emulatorTarget(moto.endpoint, REGION));
      try {
        let error: unknown;
        await signal.observe(ctx).catch((e: unknown) => { error = e; });
        expect(String(error)).to.include(`ECS service ${CLUSTER}/gone in ${REGION}: MISSING`);
      } finally {
        await signal.close();
      }
    });
  });
});
