import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A reverse proxy for tests, on a free loopback port in front of an AWS API (the emulator): a
 * plan decides, request by request, whether to forward it or to answer it itself with
 * throttling or a 503, in the wire protocol of the service that was called, so the SDK
 * classifies the answer as AWS's own. Every request is recorded (never its Authorization).
 */

/** How the SDK spoke: JSON RPC (CloudWatch, optionally query-compatible), Query, REST-JSON (FIS), REST-XML (Route 53). */
export type AwsProtocol = 'awsJson' | 'awsQuery' | 'restJson' | 'restXml';

export interface ProxiedRequest {
  /** 1, 2, … in arrival order. */
  seq: number;
  method: string;
  path: string;
  /** The signing name from the credential scope: `monitoring`, `fis`, `route53`. */
  service: string;
  /** The Region from the credential scope. */
  region: string;
  protocol: AwsProtocol;
  /** `DescribeAlarms`, from x-amz-target or the Query Action; `METHOD /path` for REST protocols. */
  operation: string;
  /** The SDK's `amz-sdk-invocation-id`: the same for every attempt of one call. */
  invocationId?: string;
  /** From `amz-sdk-request: attempt=N; max=M`. */
  attempt?: number;
  /** `x-amzn-query-mode: true`: a JSON service that answers errors the Query way too. */
  queryCompatible: boolean;
  body: string;
}

export type FaultAnswer = 'throttle' | 'unavailable';

/** Returns how to answer a request, or undefined to forward it upstream. */
export type FaultPlan = (request: ProxiedRequest) => FaultAnswer | undefined;

export interface ProxyRecord extends ProxiedRequest {
  answeredBy: 'proxy' | 'upstream';
  status: number;
}

export interface HttpFaultProxy {
  endpoint: string;
  /** Every request so far, in arrival order. */
  readonly requests: readonly ProxyRecord[];
  setPlan(plan: FaultPlan): void;
  stop(): Promise<void>;
}

export const forwardAll: FaultPlan = () => undefined;
export const always = (answer: FaultAnswer): FaultPlan => () => answer;
/** Requests 1, 3, 5, … are answered by the proxy, the others forwarded. */
export const everyOther = (answer: FaultAnswer): FaultPlan => ({ seq }) => (seq % 2 === 1 ? answer : undefined);
/** The first attempt of every call, by the SDK's own attempt counter. */
export const firstAttempts = (answer: FaultAnswer): FaultPlan => ({ attempt }) => (attempt === 1 ? answer : undefined);
/** The next `count` requests get `answer`; everything after is forwarded. */
export function burst(count: number, answer: FaultAnswer): FaultPlan {
  let left = count;
  return () => (left-- > 0 ? answer : undefined);
}

const REST_PROTOCOL: Record<string, AwsProtocol> = { route53: 'restXml' };
const XML_NAMESPACE: Record<string, string> = {
  monitoring: 'http://monitoring.amazonaws.com/doc/2010-08-01/',
  route53: 'https://route53.amazonaws.com/doc/2013-04-01/',
};

export async function startHttpFaultProxy(options: { upstream: string; plan?: FaultPlan }): Promise<HttpFaultProxy> {
  const upstream = new URL(options.upstream);
  let plan = options.plan ?? forwardAll;
  const requests: ProxyRecord[] = [];

  const server = createServer((req, res) => {
    void readBody(req).then((body) => {
      const proxied = describeRequest(req, body, requests.length + 1);
      const record: ProxyRecord = { ...proxied, answeredBy: 'proxy', status: 0 };
      requests.push(record);
      const answer = plan(proxied);
      if (answer) {
        const reply = errorReply(answer, proxied);
        record.status = reply.status;
        res.writeHead(reply.status, { ...reply.headers, 'content-length': Buffer.byteLength(reply.body), 'x-amzn-requestid': `proxy-${proxied.seq}` });
        res.end(reply.body);
        return;
      }
      record.answeredBy = 'upstream';
      forward(req, body, res, upstream, (status) => { record.status = status; });
    }, (error: Error) => res.destroy(error));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    setPlan(next) { plan = next; },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function describeRequest(req: IncomingMessage, body: Buffer, seq: number): ProxiedRequest {
  const header = (name: string) => {
    const value = req.headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const [, region = 'unknown', service = 'unknown'] = /Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\//.exec(header('authorization') ?? '') ?? [];
  const target = header('x-amz-target');
  const contentType = header('content-type') ?? '';
  const attempt = /attempt=(\d+)/.exec(header('amz-sdk-request') ?? '')?.[1];
  const invocationId = header('amz-sdk-invocation-id');
  const common = {
    seq,
    method: req.method ?? 'GET',
    path: req.url ?? '/',
    service,
    region,
    body: body.toString('utf8'),
    ...(invocationId ? { invocationId } : {}),
    ...(attempt ? { attempt: Number(attempt) } : {}),
    queryCompatible: header('x-amzn-query-mode') === 'true',
  };
  if (target) return { ...common, protocol: 'awsJson', operation: target.slice(target.lastIndexOf('.') + 1) };
  if (contentType.startsWith('application/x-www-form-urlencoded')) {
    return { ...common, protocol: 'awsQuery', operation: new URLSearchParams(body.toString('utf8')).get('Action') ?? 'unknown' };
  }
  return { ...common, protocol: REST_PROTOCOL[service] ?? 'restJson', operation: `${common.method} ${common.path.split('?')[0]}` };
}

interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** What AWS itself sends for throttling (400) or unavailability (503) in each protocol. */
function errorReply(answer: FaultAnswer, request: ProxiedRequest): Reply {
  const status = answer === 'throttle' ? 400 : 503;
  const error = answer === 'throttle'
    ? { code: 'Throttling', exception: 'ThrottlingException', message: 'Rate exceeded', type: 'Sender' }
    : { code: 'ServiceUnavailable', exception: 'ServiceUnavailableException', message: 'Service is unavailable, try again (firedrill fault proxy)', type: 'Receiver' };
  switch (request.protocol) {
    case 'awsJson':
      return {
        status,
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          // A query-compatible service names its error the Query way in this header; the SDK prefers it.
          ...(request.queryCompatible ? { 'x-amzn-query-error': `${error.code};${error.type}` } : {}),
        },
        body: JSON.stringify({ __type: `com.amazon.coral.availability#${error.exception}`, message: error.message }),
      };
    case 'restJson':
      return { status, headers: { 'content-type': 'application/json', 'x-amzn-errortype': error.exception }, body: JSON.stringify({ message: error.message }) };
    case 'awsQuery':
    case 'restXml':
      return {
        status,
        headers: { 'content-type': 'text/xml' },
        body: `<ErrorResponse xmlns="${XML_NAMESPACE[request.service] ?? ''}"><Error><Type>${error.type}</Type><Code>${error.code}</Code><Message>${error.message}</Message></Error><RequestId>proxy-${request.seq}</RequestId></ErrorResponse>`,
      };
  }
}

function forward(req: IncomingMessage, body: Buffer, res: ServerResponse, upstream: URL, onStatus: (status: number) => void): void {
  const headers: IncomingHttpHeaders = { ...req.headers, host: upstream.host, 'content-length': String(body.length) };
  delete headers['transfer-encoding'];
  const outgoing = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers }, (answer) => {
    onStatus(answer.statusCode ?? 0);
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    answer.pipe(res);
  });
  outgoing.on('error', (error) => res.destroy(error));
  outgoing.end(body);
}
