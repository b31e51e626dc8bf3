import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { PutMetricAlarmCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { stringify } from 'yaml';
import { cloudWatchClient, emulatorTarget, sqsClient, type AwsTarget } from '../../src/aws/clients.js';
import type { Emulator } from '../../lab/emulator.js';
import type { PolicyDocument } from '../../src/aws/iam-policy.js';
import { main } from '../../src/cli/main.js';
import { alarmAutomation } from './alarm-events.js';
import { startAwsStandIn, type AwsStandIn } from './aws-stand-in.js';
import { captureIo } from './capture-io.js';
import { deniedCalls, grantedVersusCalled, iamCallsOf } from './iam-calls.js';
import { createTempDir, type TempDir } from './temp-dir.js';

export const WORLD = { primary: 'us-east-1', recovery: 'us-west-2', account: '123456789012', alarm: 'primary-health' } as const;

/**
 * The test world an AWS drill runs in on moto: a primary app whose fault hook (`/fault/on`,
 * `/fault/off`) also plays CloudWatch — it sets the alarm and puts the alarm-change event on
 * the bus, which a rule delivers to a queue — and a front door that answers from whichever
 * Region `serving()` names (header `x-firedrill-region`), or 503. The drill's environment
 * `emu` gets `vars: { primaryFault, appUrl, alarmQueue, ...extraVars }`. Its endpoints are
 * recorders in front of moto and the stand-ins, so every AWS call the drills make (and only
 * theirs: the test's own clients go around them) can be held against `firedrill iam-policy`.
 */
export interface AwsDrillWorld {
  work: TempDir;
  /** Runs `firedrill run <drill>` in-process; the result and the timeline as written. */
  runDrill(drillFile: string): Promise<{ code: number; text: string; result: any; timeline: any[] }>;
  /**
   * `firedrill iam-policy <drill>` for the environment, against every call the drills run so far
   * made: the calls it does not allow (action and resource; conditions are not evaluated), the
   * actions it grants that were never called (authorization-only ones aside), and the reverse.
   */
  iamPolicyVersusCalls(drillFile: string): Promise<{ denied: string[]; grantedNotCalled: string[]; calledNotGranted: string[] }>;
  stop(): Promise<void>;
}

export async function startAwsDrillWorld(options: {
  moto: Emulator;
  endpoints?: Partial<Record<'ecs' | 'rds' | 'backup' | 'lambda' | 'route53', string>>;
  vars?: Record<string, string>;
  /** Which Region serves now, given whether the primary's fault is on; undefined: nobody. */
  serving(primaryDown: boolean): Promise<string | undefined>;
  /** Told when the primary's fault goes on or off (a Region outage also stops replication). */
  onPrimaryDown?(down: boolean): void;
}): Promise<AwsDrillWorld> {
  const target: AwsTarget = emulatorTarget(options.moto.endpoint, WORLD.primary);
  const sqs: SQSClient = sqsClient(target);
  const cw: CloudWatchClient = cloudWatchClient(target);
  const events = new EventBridgeClient({ region: WORLD.primary, endpoint: options.moto.endpoint, credentials: target.credentials! });
  await cw.send(new PutMetricAlarmCommand({ AlarmName: WORLD.alarm, Namespace: 'App', MetricName: 'Errors', Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' }));
  const alarmQueue = (await sqs.send(new CreateQueueCommand({ QueueName: 'drill-detect' }))).QueueUrl!;
  const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: alarmQueue, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  await events.send(new PutRuleCommand({ Name: 'alarm-changes', EventPattern: JSON.stringify({ source: ['aws.cloudwatch'], 'detail-type': ['CloudWatch Alarm State Change'] }) }));
  await events.send(new PutTargetsCommand({ Rule: 'alarm-changes', Targets: [{ Id: 'queue', Arn: queueArn }] }));

  const automation = alarmAutomation({ cloudwatch: cw, events }, { account: WORLD.account, region: WORLD.primary });
  let primaryDown = false;
  const server: Server = createServer((req, res) => {
    void (async () => {
      if (req.url === '/fault/on' || req.url === '/fault/off') {
        primaryDown = req.url === '/fault/on';
        options.onPrimaryDown?.(primaryDown);
        await automation.setAlarm(WORLD.alarm, primaryDown ? 'ALARM' : 'OK', primaryDown ? 'OK' : 'ALARM');
        return res.end('ok');
      }
      const region = await options.serving(primaryDown);
      res.writeHead(region ? 200 : 503, region ? { 'x-firedrill-region': region } : {});
      res.end(region ?? 'down');
    })().catch((error: Error) => { res.writeHead(500); res.end(error.message); });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

  const upstreams: Record<string, string> = { default: options.moto.endpoint, ...options.endpoints };
  const recorders: Record<string, AwsStandIn> = {};
  for (const [service, upstream] of Object.entries(upstreams)) recorders[service] = await startAwsStandIn({ upstream });
  const work = createTempDir('aws-drill');
  const configFile = work.write('firedrill.config.yaml', stringify({
    environments: {
      emu: {
        aws: { accounts: [WORLD.account], regions: [WORLD.primary, WORLD.recovery], endpoints: Object.fromEntries(Object.entries(recorders).map(([service, recorder]) => [service, recorder.endpoint])) },
        vars: { primaryFault: `${base}fault/`, appUrl: base, alarmQueue, ...options.vars },
      },
    },
  }));

  return {
    work,
    async runDrill(drillFile) {
      const out = join(work.path, `out-${Date.now()}`);
      const { io, text } = captureIo(work.path);
      // The config has no credentials: the in-process CLI gets them the way a user's shell gives them.
      const saved = { AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY };
      Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing' });
      try {
        const code = await main(['run', drillFile, '--env', 'emu', '--config', configFile, '--state-dir', join(work.path, 'state'), '--out', out], io);
        const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
        const timeline = readFileSync(join(out, 'timeline.ndjson'), 'utf8').trim().split('\n').map((line) => JSON.parse(line));
        return { code, text: text(), result, timeline };
      } finally {
        for (const [key, value] of Object.entries(saved)) {
          if (value === undefined) delete process.env[key];
          else process.env[key] = value;
        }
      }
    },
    async iamPolicyVersusCalls(drillFile) {
      const { io, text } = captureIo(work.path);
      const printed: string[] = [];
      const code = await main(['iam-policy', drillFile, '--env', 'emu', '--config', configFile, '--state-dir', join(work.path, 'state')], { ...io, out: (line) => printed.push(line) });
      if (code !== 0) throw new Error(`firedrill iam-policy exited ${code}: ${text()}`);
      const policy = JSON.parse(printed.join('\n')) as PolicyDocument;
      const calls = Object.values(recorders).flatMap((recorder) => recorder.requests).flatMap((request) => iamCallsOf(request, WORLD.account));
      const { granted, called } = grantedVersusCalled(policy, calls);
      return { denied: deniedCalls(policy, calls), grantedNotCalled: granted.filter((a) => !called.includes(a)), calledNotGranted: called.filter((a) => !granted.includes(a)) };
    },
    async stop() {
      for (const client of [sqs, cw, events]) client.destroy();
      for (const recorder of Object.values(recorders)) await recorder.stop();
      await new Promise((resolve) => server.close(resolve));
      work.remove();
    },
  };
}
