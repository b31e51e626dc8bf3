/*
 * The Lambda invoke step against moto 5.2.5 through the real @aws-sdk/client-lambda. moto runs
 * function code only in Docker; without it (`POST /moto-api/config {"lambda":{"use_docker":false}}`,
 * before functions are created) Invoke answers with the payload it was sent, or with canned
 * answers queued through /moto-api/static/lambda-simple/response. So this proves the call, the
 * payload, the answer kept as evidence and throttling — not what a pinning function does.
 * Also not modelled: ExecutedVersion (absent), a function error (never answered), and a function
 * that does not exist (Invoke answers as if it did), so those paths are not exercised here.
 */
import { fileURLToPath } from 'node:url';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateFunctionCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { expect } from 'chai';
import { emulatorTarget, lambdaClient } from '../../src/aws/clients.js';
import { startMoto, type Emulator } from '../../lab/emulator.js';
import { createLambdaInvoke, lambdaInvokeSettings } from '../../src/steps/lambda-invoke.js';
import { recordingFaultContext } from '../support/fault-context.js';
import { always, forwardAll, startHttpFaultProxy, type HttpFaultProxy } from '../support/http-fault-proxy.js';

const projectDir = fileURLToPath(new URL('../..', import.meta.url));
const REGION = 'us-west-2';
/** The smallest zip: an end-of-central-directory record and nothing else. */
const EMPTY_ZIP = Buffer.concat([Buffer.from('PK\x05\x06'), Buffer.alloc(18)]);

describe('Lambda invoke step on moto', function () {
  let moto: Emulator;
  let lambda: LambdaClient;
  let proxy: HttpFaultProxy;
  const step = () => createLambdaInvoke(() => emulatorTarget(moto.endpoint, REGION));
  const pin = { record: 'app.example.com', failover: 'PRIMARY', value: '10.1.0.1' };

  before(async function () {
    moto = await startMoto({ projectDir });
    const config = await fetch(`${moto.endpoint}/moto-api/config`, { method: 'POST', body: JSON.stringify({ lambda: { use_docker: false } }) });
    expect(config.ok).to.equal(true);
    const target = emulatorTarget(moto.endpoint, REGION);
    const iam = new IAMClient({ region: 'us-east-1', endpoint: moto.endpoint, credentials: target.credentials! });
    const role = await iam.send(new CreateRoleCommand({ RoleName: 'pinner', AssumeRolePolicyDocument: '{}' }));
    iam.destroy();
    lambda = lambdaClient(target);
    await lambda.send(new CreateFunctionCommand({ FunctionName: 'pin-primary', Runtime: 'nodejs20.x', Role: role.Role!.Arn!, Handler: 'index.handler', Code: { ZipFile: EMPTY_ZIP } }));
    proxy = await startHttpFaultProxy({ upstream: moto.endpoint });
  });

  after(async function () {
    lambda?.destroy();
    await proxy?.stop();
    await moto?.stop();
  });

  it('plans the invoke and the undo invoke', function () {
    const s = lambdaInvokeSettings.parse({ functionName: 'pin-primary', region: REGION, payload: pin, undoPayload: { unpin: true } });
    expect(step().plan(s)).to.deep.equal([
      `lambda:Invoke pin-primary (${REGION}) with ${JSON.stringify(pin)}, waiting for its answer`,
      `lambda:Invoke pin-primary (${REGION}) with {"unpin":true}, on revert`,
    ]);
    expect(step().plan(lambdaInvokeSettings.parse({ functionName: 'pin-primary', region: REGION }))[1]).to.equal('no revert: no undoPayload given');
  });

  it('invokes the function, remembering first, and keeps payload and answer as evidence', async function () {
    const s = lambdaInvokeSettings.parse({ functionName: 'pin-primary', region: REGION, payload: pin });
    const { context, remembered } = recordingFaultContext(async () => proxy.requests.length);
    const injection = await step().inject(s, context);
    expect(remembered.map((r) => r.state)).to.deep.equal([{ invoked: true }]);
    expect(injection.detail).to.deep.include({ payload: pin, statusCode: 200, answer: pin });
    expect(injection.at.lower).to.be.at.most(injection.at.upper);
    expect(await step().evidence!(s, injection.state, context)).to.deep.equal({ payload: pin, statusCode: 200, executedVersion: null, answer: pin });
  });

  it('on revert invokes the undo payload', async function () {
    const s = lambdaInvokeSettings.parse({ functionName: 'pin-primary', region: REGION, payload: pin, undoPayload: { unpin: pin.record } });
    const viaProxy = createLambdaInvoke(() => emulatorTarget(proxy.endpoint, REGION));
    const { context } = recordingFaultContext(async () => null);
    const injection = await viaProxy.inject(s, context);
    const from = proxy.requests.length;
    const revertedAt = await viaProxy.revert(s, injection.state, context);
    expect(revertedAt!.t).to.be.at.least(injection.at.t);
    expect(proxy.requests.slice(from).map((r) => r.operation)).to.deep.equal(['POST /2015-03-31/functions/pin-primary/invocations']);
    await viaProxy.verifyReverted(s, injection.state, context);
  });

  it('fails when Lambda throttles every attempt', async function () {
    proxy.setPlan(always('throttle'));
    const { context } = recordingFaultContext(async () => null);
    let error: unknown;
    try {
      await createLambdaInvoke(() => emulatorTarget(proxy.endpoint, REGION)).inject(lambdaInvokeSettings.parse({ functionName: 'pin-primary', region: REGION }), context);
    } catch (e) {
      error = e;
    } finally {
      proxy.setPlan(forwardAll);
    }
    expect((error as Error).name).to.equal('ThrottlingException');
  });
});
