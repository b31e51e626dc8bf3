import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer as createTcpServer, type AddressInfo, type Server } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { encodeRequest, Http1Connection, type Http1Exchange } from '../../src/net/http1-connection.js';
import { createHttpProbe } from '../../src/probes/http.js';
import { sampleOnce } from '../support/sample-once.js';

const TLS_DIR = fileURLToPath(new URL('../fixtures/tls/', import.meta.url));

/** Ends the connection after the pieces before it (`END`), or resets it (`RESET`). */
const END = Symbol('end');
const RESET = Symbol('reset');
type Piece = string | Buffer | typeof END | typeof RESET;

/**
 * A server that answers the n-th request on a connection (the total-th on the server) with raw
 * bytes, written in the pieces given (each its own write, so the client sees a response split
 * anywhere), or `close` to drop the connection without answering.
 */
async function rawServer(answers: (n: number, total: number) => Piece[] | 'close'): Promise<{ server: Server; port: number; connections: number; requests: string[] }> {
  const state = { server: undefined as unknown as Server, port: 0, connections: 0, requests: [] as string[] };
  state.server = createTcpServer((socket) => {
    state.connections++;
    let n = 0;
    let pending = '';
    socket.on('data', async (chunk) => {
      pending += chunk.toString('latin1');
      while (pending.includes('\r\n\r\n')) {
        const end = pending.indexOf('\r\n\r\n') + 4;
        state.requests.push(pending.slice(0, end));
        pending = pending.slice(end);
        const answer = answers(++n, state.requests.length);
        if (answer === 'close') {
          socket.destroy();
          return;
        }
        for (const piece of answer) {
          if (piece === END) socket.end();
          else if (piece === RESET) socket.resetAndDestroy();
          else socket.write(piece);
          await new Promise((resolve) => setImmediate(resolve));
        }
      }
    });
    socket.on('error', () => {});
  });
  state.server.listen(0, '127.0.0.1');
  await once(state.server, 'listening');
  state.port = (state.server.address() as AddressInfo).port;
  return state;
}

function exchangeOf(port: number, options: Partial<Http1Exchange> & { method?: string } = {}): Http1Exchange {
  const method = options.method ?? 'GET';
  return { request: encodeRequest(new URL(`http://127.0.0.1:${port}/x?y=1`), method, { 'x-test': 'yes' }), head: method === 'HEAD', keepBody: true, keepHeaders: [], ...options };
}

function bytes(text: string): Buffer[] {
  return [...Buffer.from(text)].map((byte) => Buffer.from([byte]));
}

describe('the HTTP/1.1 connection', () => {
  const servers: Server[] = [];
  const connections: Http1Connection[] = [];
  const open = (port: number) => {
    const connection = new Http1Connection({ host: '127.0.0.1', port, tls: false });
    connections.push(connection);
    return connection;
  };
  const serve = async (answers: Parameters<typeof rawServer>[0]) => {
    const s = await rawServer(answers);
    servers.push(s.server);
    return s;
  };
  afterEach(async () => {
    connections.splice(0).forEach((c) => c.destroy());
    await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  });

  it('reads a content-length body that arrives a byte at a time, and keeps the connection for the next exchange', async () => {
    const s = await serve((n) => bytes(`HTTP/1.1 200 OK\r\nContent-Length: 7\r\nX-Region: us-east-1\r\n\r\nanswer${n}`));
    const connection = open(s.port);
    const first = await connection.exchange(exchangeOf(s.port, { keepHeaders: ['x-region'] }));
    expect(first).to.deep.equal({ status: 200, headers: { 'x-region': 'us-east-1' }, body: 'answer1' });
    expect(connection.reusable).to.equal(true);
    expect((await connection.exchange(exchangeOf(s.port))).body).to.equal('answer2');
    expect(s.connections).to.equal(1);
    expect(s.requests[0]).to.equal(`GET /x?y=1 HTTP/1.1\r\nhost: 127.0.0.1:${s.port}\r\nx-test: yes\r\n\r\n`);
  });

  it('reads a chunked body split anywhere, with chunk extensions and trailers', async () => {
    const s = await serve(() => bytes('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;name=value\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n'));
    const connection = open(s.port);
    expect((await connection.exchange(exchangeOf(s.port))).body).to.equal('hello, world');
    expect(connection.reusable).to.equal(true);
  });

  it('reads a body delimited by the connection closing, and does not reuse that connection', async () => {
    const s = await serve(() => ['HTTP/1.1 200 OK\r\n\r\n', 'until ', 'the end', END]);
    const connection = open(s.port);
    expect((await connection.exchange(exchangeOf(s.port))).body).to.equal('until the end');
    expect(connection.reusable).to.equal(false);
  });

  it('skips an interim 100 Continue, and reads no body for HEAD, 204 or 304 whatever the headers say', async () => {
    const s = await serve((n) => [
      n === 1 ? 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'
        : n === 2 ? 'HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n'
          : n === 3 ? 'HTTP/1.1 204 No Content\r\nContent-Length: 1000\r\n\r\n'
            : 'HTTP/1.1 304 Not Modified\r\nContent-Length: 1000\r\n\r\n',
    ]);
    const connection = open(s.port);
    expect(await connection.exchange(exchangeOf(s.port))).to.deep.include({ status: 200, body: 'ok' });
    expect(await connection.exchange(exchangeOf(s.port, { method: 'HEAD' }))).to.deep.include({ status: 200, body: '' });
    expect(await connection.exchange(exchangeOf(s.port))).to.deep.include({ status: 204, body: '' });
    expect(await connection.exchange(exchangeOf(s.port))).to.deep.include({ status: 304, body: '' });
    expect(s.connections).to.equal(1);
  });

  it('keeps only the headers asked for, by lower-case name, the first of repeated ones', async () => {
    const s = await serve(() => ['HTTP/1.1 200 OK\r\nx-Region: first\r\nX-REGION: second\r\nSet-Cookie: secret\r\nContent-Length: 0\r\n\r\n']);
    const answer = await open(s.port).exchange(exchangeOf(s.port, { keepHeaders: ['x-region'] }));
    expect(answer.headers).to.deep.equal({ 'x-region': 'first' });
  });

  it('gives the connection up after a response that says close, or HTTP/1.0 without keep-alive', async () => {
    const s = await serve((n) => [n === 1 ? 'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n' : 'HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n']);
    const first = open(s.port);
    await first.exchange(exchangeOf(s.port));
    expect(first.reusable).to.equal(false);
    const second = open(s.port);
    await second.exchange(exchangeOf(s.port));
    await second.exchange(exchangeOf(s.port)).catch(() => undefined);
    expect(second.reusable).to.equal(false);
  });

  it('refuses a malformed response with a reason, and one cut short', async () => {
    const s = await serve((_n, total) => (total === 1 ? ['SMTP ready\r\n\r\n'] : ['HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort', RESET]));
    const error = await open(s.port).exchange(exchangeOf(s.port)).catch((e: Error) => e);
    expect((error as Error).message).to.equal('malformed HTTP response: no status line');
    const cut = await open(s.port).exchange(exchangeOf(s.port)).catch((e: Error) => e);
    expect((cut as Error).message).to.equal('the connection closed before the response ended');
  });

  it('the probe retries once on a new connection when the server drops a kept-alive one as the sample takes it', async () => {
    const s = await serve((n) => (n === 2 ? 'close' : ['HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok']));
    const probe = createHttpProbe('app', { url: `http://127.0.0.1:${s.port}/`, connection: 'keep-alive' });
    try {
      expect((await sampleOnce(probe)).ok).to.equal(true);
      expect(await sampleOnce(probe), 'the second request on the first connection was dropped unanswered').to.deep.include({ ok: true, status: 200 });
      expect(s.connections).to.equal(2);
    } finally {
      await probe.close();
    }
  });

  it('speaks HTTPS, verifying the server against the trusted certificates', async () => {
    const server = createTlsServer({ key: readFileSync(`${TLS_DIR}localhost.key`), cert: readFileSync(`${TLS_DIR}localhost.crt`) }, (socket) => {
      socket.once('data', () => socket.end('HTTP/1.1 200 OK\r\nX-Region: tls\r\nContent-Length: 6\r\n\r\nsecure'));
    });
    servers.push(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `https://localhost:${(server.address() as AddressInfo).port}/`;
    const untrusted = createHttpProbe('app', { url });
    try {
      expect(await sampleOnce(untrusted)).to.deep.include({ ok: false, error: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    } finally {
      await untrusted.close();
    }
    // Trusted through NODE_EXTRA_CA_CERTS, which Node reads only when it starts: a process of its own.
    const script = `
      import { createHttpProbe } from './src/probes/http.ts';
      import { sampleOnce } from './test/support/sample-once.ts';
      const probe = createHttpProbe('app', { url: ${JSON.stringify(url)}, region: { header: 'x-region' }, expect: { bodyContains: 'secure' } });
      console.log(JSON.stringify(await sampleOnce(probe)));
      await probe.close();
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('../../', import.meta.url)),
      env: { ...process.env, NODE_EXTRA_CA_CERTS: `${TLS_DIR}localhost.crt` },
    });
    expect(JSON.parse(stdout.trim().split('\n').at(-1)!)).to.deep.include({ ok: true, status: 200, region: 'tls' });
  });
});
