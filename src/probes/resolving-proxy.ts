import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import type { ClientResolver } from '../net/resolver.js';

/**
 * A forward proxy on loopback that resolves names through a probe's own resolver (chosen
 * nameservers, a client-side cache that honours the TTL), so a browser follows a DNS failover
 * the way its users' resolvers would. Every request opens a new upstream connection: a pooled
 * one would keep talking to the old address. A failed upstream resets the browser's
 * connection, which the browser shows as the network error a user would see.
 */
export interface ResolvingProxy {
  /** `http://127.0.0.1:port`, for a browser context's `proxy.server`. */
  readonly url: string;
  /** The address each host last resolved to, for the sample's record. */
  lastAddress(host: string): string | undefined;
  close(): Promise<void>;
}

export async function startResolvingProxy(resolver: ClientResolver): Promise<ResolvingProxy> {
  const addresses = new Map<string, string>();
  const sockets = new Set<Socket>();
  const lookup: ClientResolver['lookup'] = (hostname, options, callback) => resolver.lookup(hostname, options, (error, address, family) => {
    const first = Array.isArray(address) ? (address[0] as { address: string } | undefined)?.address : address;
    if (!error && first) addresses.set(hostname.toLowerCase(), first);
    (callback as (...args: unknown[]) => void)(error, address, family);
  });

  const forward = (req: IncomingMessage, res: ServerResponse) => {
    let target: URL;
    try {
      target = new URL(req.url ?? '');
    } catch {
      res.writeHead(400).end('expected an absolute URL (this is a forward proxy)');
      return;
    }
    const headers = { ...req.headers };
    delete headers['proxy-connection'];
    const upstream = request({ host: target.hostname, port: target.port || 80, path: `${target.pathname}${target.search}`, method: req.method, headers, lookup, agent: false }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.socket?.destroy());
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  };

  const server = createServer(forward);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect({ host: host ?? '', port: Number(port) || 443, lookup }, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    client.on('close', () => upstream.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    lastAddress: (host) => addresses.get(host.toLowerCase()),
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    }),
  };
}
