import { expect } from 'chai';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { createClock } from '../../src/core/clock.js';
import type { JsonObject } from '../../src/core/json.js';
import type { FaultContext } from '../../src/faults/fault.js';
import { httpHookFault, type HttpHookSettings } from '../../src/faults/http-hook.js';
import { failureOf } from '../support/failure-of.js';

const LOOPBACK = '127.0.0.1';
const TOKEN = 'Bearer s3cret-token';

/** An application with its own fault switch, guarded by a token, and a health endpoint. */
async function startApp(): Promise<{ server: Server; url: string; faulty: () => boolean; bodies: unknown[] }> {
  let faulty = false;
  const bodies: unknown[] = [];
  const server = createServer((req, res) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => { text += chunk; });
    req.on('end', () => {
      if (req.url === '/health') {
        res.statusCode = faulty ? 503 : 200;
        return void res.end();
      }
      // A state endpoint that answers 200 either way: only its body tells.
      if (req.url === '/chaos/state') return void res.end(JSON.stringify({ chaos: faulty }));
      if (req.headers.authorization !== TOKEN) {
        res.statusCode = 401;
        return void res.end('bad token');
      }
      if (text) bodies.push(JSON.parse(text));
      if (req.method === 'POST' && req.url === '/chaos/on') faulty = true;
      else if (req.method === 'DELETE' && req.url === '/chaos') faulty = false;
      else res.statusCode = 404;
      res.end();
    });
  });
  server.listen(0, LOOPBACK);
  await once(server, 'listening');
  return { server, url: `http://${LOOPBACK}:${(server.address() as { port: number }).port}`, faulty: () => faulty, bodies };
}

function testContext(remembered: JsonObject[] = []): FaultContext {
  return {
    clock: createClock(),
    signal: new AbortController().signal,
    drillId: 'test-drill',
    async remember(state) { remembered.push(state); },
    log: () => undefined,
  };
}

describe('http-hook fault kind', () => {
  let app: Awaited<ReturnType<typeof startApp>>;
  let settings: HttpHookSettings;

  before(async () => {
    app = await startApp();
  });

  beforeEach(() => {
    settings = httpHookFault.settings.parse({
      on: { url: `${app.url}/chaos/on`, headers: { Authorization: TOKEN }, body: { fault: 'db-down' } },
      off: { url: `${app.url}/chaos`, method: 'DELETE', headers: { Authorization: TOKEN } },
      verify: { url: `${app.url}/health`, expectStatus: 200 },
    });
  });

  after(() => {
    app.server.closeAllConnections();
    app.server.close();
  });

  it('plans every call, the verify included, with header values redacted', () => {
    const plan = httpHookFault.plan(settings);
    expect(plan).to.deep.equal([
      `POST ${app.url}/chaos/on headers {authorization: ***} body {"fault":"db-down"}`,
      `DELETE ${app.url}/chaos headers {authorization: ***} (revert)`,
      `GET ${app.url}/health, expecting status 200 (verify the revert; read-only)`,
    ]);
    expect(plan.join('\n')).not.to.contain('s3cret');
  });

  it('injects with the on call, bracketed by the clock before and after it', async () => {
    const remembered: JsonObject[] = [];
    const ctx = testContext(remembered);
    const before = ctx.clock.now();
    const injection = await httpHookFault.inject(settings, ctx);
    const after = ctx.clock.now();
    expect(app.faulty()).to.equal(true);
    expect(app.bodies.at(-1)).to.deep.equal({ fault: 'db-down' });
    expect(injection.at.lower).to.be.at.least(before);
    expect(injection.at.upper).to.be.at.most(after);
    expect(injection.at.t).to.equal(injection.at.upper);
    expect(injection.at.lower).to.be.at.most(injection.at.upper);
    expect(remembered).to.have.length(1);
  });

  it('verifyReverted throws while the fault is on, and passes after revert', async () => {
    const ctx = testContext();
    const injection = await httpHookFault.inject(settings, ctx);
    const error = await failureOf(httpHookFault.verifyReverted(settings, injection.state, ctx));
    expect(error.message).to.contain(`GET ${app.url}/health`).and.to.contain('expected status 200, got 503');
    const reverted = await httpHookFault.revert(settings, injection.state, ctx);
    expect(app.faulty()).to.equal(false);
    expect(reverted!.lower).to.be.at.most(reverted!.upper);
    await httpHookFault.verifyReverted(settings, injection.state, ctx);
  });

  it('verify by the body: a 200 that still says {"chaos":true} is a fault still in effect', async () => {
    const ctx = testContext();
    const byJson = httpHookFault.settings.parse({ ...settings, verify: { url: `${app.url}/chaos/state`, expect: { json: { path: 'chaos', equals: false } } } });
    const byText = httpHookFault.settings.parse({ ...settings, verify: { url: `${app.url}/chaos/state`, expect: { bodyContains: '"chaos":false' } } });
    const injection = await httpHookFault.inject(byJson, ctx);
    const jsonError = await failureOf(httpHookFault.verifyReverted(byJson, injection.state, ctx));
    expect(jsonError.message).to.contain(`GET ${app.url}/chaos/state: fault hook still in effect: expected JSON "chaos" to match {"equals":false}, got true`);
    const textError = await failureOf(httpHookFault.verifyReverted(byText, injection.state, ctx));
    expect(textError.message).to.contain('expected body to contain "\\"chaos\\":false"');
    await httpHookFault.revert(byJson, injection.state, ctx);
    await httpHookFault.verifyReverted(byJson, injection.state, ctx);
    await httpHookFault.verifyReverted(byText, injection.state, ctx);
    expect(httpHookFault.plan(byJson).at(-1)).to.equal(`GET ${app.url}/chaos/state, expecting a 2xx answer, JSON {"path":"chaos","equals":false} (verify the revert; read-only)`);
  });

  it('fails when the hook does not answer 2xx, naming the call but never the token', async () => {
    const wrong = httpHookFault.settings.parse({ ...settings, on: { ...settings.on, url: `${app.url}/chaos/on?key=hunter2`, headers: { Authorization: 'Bearer wrong' } } });
    const error = await failureOf(httpHookFault.inject(wrong, testContext()));
    expect(error.message).to.contain(`POST ${app.url}/chaos/on?key=***`).and.to.contain('expected a 2xx answer, got 401');
    expect(error.message).not.to.contain('wrong').and.not.to.contain('hunter2');
    expect(app.faulty()).to.equal(false);
  });

  it('defaults the method to POST and rejects bad settings, naming the field', () => {
    expect(settings.on.method).to.equal('POST');
    const bad = httpHookFault.settings.safeParse({ on: { url: 'http://app/on', method: 'PATCH' }, off: { url: 'ftp://app/off' }, extra: 1 });
    const problems = bad.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(problems.some((p) => p.startsWith('on.method: '))).to.equal(true, problems.join('\n'));
    expect(problems).to.include('off.url: expected an http:// or https:// URL, got "ftp://app/off"');
    expect(problems.some((p) => p.includes('extra'))).to.equal(true, problems.join('\n'));
  });
});
