import { expect } from 'chai';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { createClock } from '../../src/core/clock.js';
import type { FaultContext } from '../../src/faults/fault.js';
import { httpStep } from '../../src/steps/http-request.js';
import { failureOf } from '../support/failure-of.js';

/** A controller outside AWS: `POST /failover` and `POST /failback`, and `/state` that answers 200 either way. */
async function startController(): Promise<{ server: Server; url: string; calls: string[] }> {
  let active = 'primary';
  const calls: string[] = [];
  const server = createServer((req, res) => {
    calls.push(`${req.method} ${req.url}`);
    if (req.method === 'POST' && req.url === '/failover') active = 'recovery';
    else if (req.method === 'POST' && req.url === '/failback') active = 'primary';
    else if (req.url === '/refuse') res.statusCode = 409;
    else if (req.url !== '/state') res.statusCode = 404;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ active }));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, calls };
}

const context = (): FaultContext => ({ clock: createClock(), signal: new AbortController().signal, drillId: 'd', async remember() {}, log: () => undefined });

describe('http step kind', () => {
  let controller: Awaited<ReturnType<typeof startController>>;
  before(async () => { controller = await startController(); });
  after(() => { controller.server.closeAllConnections(); controller.server.close(); });

  const settings = () => httpStep.settings.parse({
    call: { url: `${controller.url}/failover`, headers: { authorization: 'Bearer t0ken' } },
    expect: { json: { path: 'active', equals: 'recovery' } },
    undo: { url: `${controller.url}/failback` },
    verify: { url: `${controller.url}/state`, expect: { json: { path: 'active', equals: 'primary' } } },
  });

  it('plans the call, the undo and the verify, header values redacted', () => {
    expect(httpStep.plan(settings())).to.deep.equal([
      `POST ${controller.url}/failover headers {authorization: ***}`,
      `POST ${controller.url}/failback (revert)`,
      `GET ${controller.url}/state, expecting a 2xx answer, JSON {"path":"active","equals":"primary"} (verify the revert; read-only)`,
    ]);
  });

  it('makes the call (bracketed, the answer as evidence), undoes it and verifies the undo by the JSON answer', async () => {
    const ctx = context();
    const s = settings();
    const injection = await httpStep.inject(s, ctx);
    expect(injection.at.lower).to.be.at.most(injection.at.upper);
    expect(injection.detail).to.deep.include({ status: 200, answer: '{"active":"recovery"}' });
    const stillFailedOver = await failureOf(httpStep.verifyReverted(s, injection.state, ctx));
    expect(stillFailedOver.message).to.equal(`GET ${controller.url}/state: the undo did not take: expected JSON "active" to match {"equals":"primary"}, got "recovery" (answer 200 "{\\"active\\":\\"recovery\\"}")`);
    await httpStep.revert(s, injection.state, ctx);
    await httpStep.verifyReverted(s, injection.state, ctx);
    expect(controller.calls.slice(-4)).to.deep.equal(['POST /failover', 'GET /state', 'POST /failback', 'GET /state']);
  });

  it('fails the step when the answer misses its expectation, naming the call and the answer', async () => {
    const refused = httpStep.settings.parse({ call: { url: `${controller.url}/refuse` } });
    const error = await failureOf(httpStep.inject(refused, context()));
    expect(error.message).to.match(new RegExp(`^POST ${controller.url}/refuse: expected status 2xx, got 409 \\(answer 409 `));
    expect(httpStep.plan(refused)[1]).to.equal('no revert: no undo call given');
  });
});
