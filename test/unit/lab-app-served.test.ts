import { expect } from 'chai';
import { request } from 'undici';
import { startAppServer, type AppServer, type ServedEvent } from '../../lab/app-server.js';

/** The lab's ground truth of recovery is the first answer a user got: an answer to a client that gave up is not one. */
describe('the lab app records what it served', () => {
  let app: AppServer | undefined;
  afterEach(async () => { await app?.close(); app = undefined; });

  it('records an answer delivered, and not one finished after its client had given up', async () => {
    const served: ServedEvent[] = [];
    let slowArrived!: () => void;
    const arrived = new Promise<void>((resolve) => { slowArrived = resolve; });
    let slowDone!: () => void;
    const slowAnswered = new Promise<void>((resolve) => { slowDone = resolve; });
    app = await startAppServer({
      region: 'us-west-2', host: '127.0.0.1', port: 0, onServed: (e) => served.push(e),
      routes: [async (req, res) => {
        if (req.url !== '/slow') return false;
        const clientGone = new Promise((resolve) => req.socket.once('close', resolve));
        slowArrived();
        await clientGone; // answers only once the client has given up
        res.writeHead(200).end('late');
        slowDone();
        return true;
      }],
    });
    const base = `http://127.0.0.1:${app.port}`;

    const abandoned = new AbortController();
    const gaveUp = request(`${base}/slow`, { signal: abandoned.signal }).catch((error: Error) => error);
    await arrived;
    abandoned.abort();
    expect(await gaveUp).to.be.instanceOf(Error);
    await slowAnswered;

    const ok = await request(`${base}/health`);
    await ok.body.text();
    expect(served.map((e) => e.path)).to.deep.equal(['/health']);
  });
});
