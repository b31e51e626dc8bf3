import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeRequest, readBody, type ProxiedRequest } from './http-fault-proxy.js';

/**
 * The test world's stand-in for what the emulator does not model, speaking the service's own
 * protocol so the real SDK client is pointed at it unchanged. Every request goes to `answer`
 * first: an operation it answers never reaches upstream (an API moto lacks: AWS Backup restore
 * jobs, a global-cluster failover); what it leaves goes to upstream (moto), and `rewrite` may
 * change upstream's answer (ECS tasks that take time to start). Kept apart from the harness.
 */
export type StandInRequest = ProxiedRequest;

export interface StandInReply {
  status?: number;
  contentType: string;
  body: string;
}

export interface AwsStandIn {
  endpoint: string;
  /** Every request so far, in arrival order. */
  readonly requests: readonly StandInRequest[];
  /** Resolves when a request for `operation` next arrives (after this call). */
  nextRequest(operation: string): Promise<StandInRequest>;
  stop(): Promise<void>;
}

export async function startAwsStandIn(options: {
  upstream: string;
  answer?(request: StandInRequest): StandInReply | undefined;
  rewrite?(request: StandInRequest, upstreamBody: string): string;
}): Promise<AwsStandIn> {
  const upstream = new URL(options.upstream);
  const requests: StandInRequest[] = [];
  const waiters: { operation: string; resolve(request: StandInRequest): void }[] = [];

  const server = createServer((req, res) => {
    void readBody(req).then(async (raw) => {
      const request: StandInRequest = describeRequest(req, raw, requests.length + 1);
      requests.push(request);
      for (const waiter of waiters.filter((w) => w.operation === request.operation)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(request);
      }
      const own = options.answer?.(request);
      if (own) {
        res.writeHead(own.status ?? 200, { 'content-type': own.contentType, 'content-length': Buffer.byteLength(own.body), 'x-amzn-requestid': `stand-in-${request.seq}` });
        res.end(own.body);
        return;
      }
      const answer = await forward(req, raw, upstream);
      const body = options.rewrite && answer.status < 300 ? options.rewrite(request, answer.body) : answer.body;
      const headers = { ...answer.headers, 'content-length': String(Buffer.byteLength(body)) };
      delete headers['transfer-encoding'];
      res.writeHead(answer.status, headers);
      res.end(body);
    }).catch((error: Error) => res.destroy(error));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    nextRequest: (operation) => new Promise((resolve) => waiters.push({ operation, resolve })),
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function forward(req: IncomingMessage, body: Buffer, upstream: URL): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  const headers: IncomingHttpHeaders = { ...req.headers, host: upstream.host, 'content-length': String(body.length) };
  delete headers['transfer-encoding'];
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers }, (answer) => {
      void readBody(answer).then((data) => resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: data.toString('utf8') }), reject);
    });
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}
