import { once } from 'node:events';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { STATUS_CODES } from 'node:http';
import { performance } from 'node:perf_hooks';
import { startControlApi, type ControlApi } from './blackhole-control-api.js';

/**
 * A TCP proxy that firedrill controls, like Toxiproxy, plus an HTTP-aware error mode.
 * The current fault lives in one state object that is swapped whole; every new connection and
 * every chunk reads it at the moment it is handled, so a switch takes effect at `changedAt`.
 */
export type ProxyFault =
  | { mode: 'drop' }
  | { mode: 'reset' }
  | { mode: 'latency'; latencyMs: number; jitterMs?: number }
  | { mode: 'http-error'; status?: number };

export type ProxyMode = 'pass' | ProxyFault['mode'];

export interface HostPort { host: string; port: number }

export interface ProxyState {
  name: string;
  mode: ProxyMode;
  /** The fault's settings with defaults filled in, or null when passing traffic. */
  fault: ProxyFault | null;
  /** Epoch milliseconds of the last switch. */
  changedAt: number;
  leaseMs: number | null;
  leaseExpiresAt: number | null;
  /** The last time the proxy went back to `pass`, and why. */
  lastRevert: { at: number; reason: 'lease-expired' | 'cleared' } | null;
  connections: number;
  upstream: string;
}

export interface BlackholeProxy {
  readonly name: string;
  readonly listenAddress: HostPort;
  readonly controlUrl: string | undefined;
  state(): ProxyState;
  setFault(fault: ProxyFault, options?: { leaseMs?: number }): ProxyState;
  clearFault(): ProxyState;
  /** Extends the lease by its own length from now; throws NoFaultError when passing traffic. */
  renewLease(): ProxyState;
  close(): Promise<void>;
}

export interface BlackholeProxyOptions {
  name: string;
  listen: HostPort;
  upstream: HostPort;
  control?: HostPort;
}

export class NoFaultError extends Error {
  readonly code = 'FIREDRILL_PROXY_NO_FAULT';
}

interface Switch {
  fault: ProxyFault | null;
  changedAt: number;
  leaseMs: number | null;
  leaseExpiresAt: number | null;
  lastRevert: ProxyState['lastRevert'];
}

/** One accepted client connection and, when passing traffic, its upstream socket. */
interface Connection { client: Socket; upstream?: Socket }

/** Cap on a request head we wait for before answering in http-error mode. */
const MAX_HEAD_BYTES = 16 * 1024;

export async function startBlackholeProxy(options: BlackholeProxyOptions): Promise<BlackholeProxy> {
  const proxy = new ProxyServer(options);
  await proxy.listen();
  return proxy;
}

class ProxyServer implements BlackholeProxy {
  readonly name: string;
  listenAddress: HostPort;
  controlUrl: string | undefined;
  private current: Switch = { fault: null, changedAt: Date.now(), leaseMs: null, leaseExpiresAt: null, lastRevert: null };
  private readonly connections = new Set<Connection>();
  private readonly server: Server;
  private control?: ControlApi;
  private leaseTimer?: NodeJS.Timeout;

  constructor(private readonly options: BlackholeProxyOptions) {
    this.name = options.name;
    this.listenAddress = options.listen;
    this.server = createServer({ allowHalfOpen: true }, (client) => this.accept(client));
  }

  async listen(): Promise<void> {
    const { host, port } = this.options.listen;
    this.server.listen(port, host);
    try {
      await once(this.server, 'listening');
    } catch (error) {
      throw new Error(`blackhole proxy "${this.name}" could not listen on ${host}:${port}: ${(error as Error).message}`);
    }
    this.listenAddress = { host, port: (this.server.address() as { port: number }).port };
    if (this.options.control) {
      this.control = await startControlApi(this, this.options.control).catch(async (error: Error) => {
        this.server.close();
        throw error;
      });
      this.controlUrl = this.control.url;
    }
  }

  state(): ProxyState {
    const { fault, changedAt, leaseMs, leaseExpiresAt, lastRevert } = this.current;
    const { host, port } = this.options.upstream;
    return { name: this.name, mode: fault?.mode ?? 'pass', fault, changedAt, leaseMs, leaseExpiresAt, lastRevert, connections: this.connections.size, upstream: `${host}:${port}` };
  }

  setFault(fault: ProxyFault, options: { leaseMs?: number } = {}): ProxyState {
    const now = Date.now();
    const leaseMs = options.leaseMs ?? null;
    this.swap({ fault: withDefaults(fault), changedAt: now, leaseMs, leaseExpiresAt: leaseMs === null ? null : now + leaseMs, lastRevert: this.current.lastRevert });
    if (fault.mode === 'reset') for (const c of this.connections) resetConnection(c);
    if (fault.mode === 'http-error') for (const c of this.connections) closeConnection(c);
    return this.state();
  }

  clearFault(): ProxyState {
    this.revert('cleared');
    return this.state();
  }

  renewLease(): ProxyState {
    const { fault, leaseMs } = this.current;
    if (!fault) throw new NoFaultError(`blackhole proxy "${this.name}" has no fault set: there is no lease to renew`);
    if (leaseMs !== null) this.swap({ ...this.current, leaseExpiresAt: Date.now() + leaseMs });
    return this.state();
  }

  async close(): Promise<void> {
    clearTimeout(this.leaseTimer);
    for (const c of this.connections) closeConnection(c);
    const closed = once(this.server, 'close');
    this.server.close();
    await Promise.all([closed, this.control?.close()]);
  }

  /** Back to `pass`; a no-op when already there, so `changedAt` keeps the real revert time. */
  private revert(reason: 'lease-expired' | 'cleared'): void {
    if (!this.current.fault) return;
    const now = Date.now();
    this.swap({ fault: null, changedAt: now, leaseMs: null, leaseExpiresAt: null, lastRevert: { at: now, reason } });
  }

  private swap(next: Switch): void {
    this.current = next;
    this.scheduleLeaseExpiry();
  }

  private scheduleLeaseExpiry(): void {
    clearTimeout(this.leaseTimer);
    const { leaseExpiresAt } = this.current;
    if (leaseExpiresAt === null) return;
    // Timers may fire a little before the wall clock reaches the expiry: check, then wait again.
    this.leaseTimer = setTimeout(() => {
      if (Date.now() >= leaseExpiresAt) this.revert('lease-expired');
      else this.scheduleLeaseExpiry();
    }, Math.max(0, leaseExpiresAt - Date.now()));
    this.leaseTimer.unref();
  }

  private accept(client: Socket): void {
    const connection: Connection = { client };
    this.connections.add(connection);
    client.on('error', () => client.destroy());
    client.on('close', () => {
      connection.upstream?.destroy();
      this.connections.delete(connection);
    });
    const { fault } = this.current;
    if (fault?.mode === 'reset') resetConnection(connection);
    // A blackhole: the connection is accepted, whatever it sends is read and never answered.
    else if (fault?.mode === 'drop') client.resume();
    else if (fault?.mode === 'http-error') this.answerWithError(client, fault.status ?? 503);
    else this.link(connection);
  }

  private answerWithError(client: Socket, status: number): void {
    let head = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      if (!head.includes('\r\n\r\n') && head.length < MAX_HEAD_BYTES) return;
      client.off('data', onData);
      client.resume();
      const body = `firedrill blackhole proxy "${this.name}": injected HTTP ${status}\n`;
      client.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\ncontent-type: text/plain; charset=utf-8\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
    };
    client.on('data', onData);
    client.on('end', () => client.destroy());
  }

  private link(connection: Connection): void {
    const { client } = connection;
    const upstream = connect({ ...this.options.upstream, allowHalfOpen: true });
    connection.upstream = upstream;
    upstream.on('error', () => {
      // An unreachable or failed upstream looks like one to the client too, unless we are
      // blackholing, in which case the client must hear nothing at all.
      if (this.current.fault?.mode !== 'drop') resetConnection(connection);
    });
    this.pipe(client, upstream);
    this.pipe(upstream, client);
  }

  /** Forwards `from` to `to` chunk by chunk, each one handled under the state current at the time. */
  private pipe(from: Socket, to: Socket): void {
    let draining = false;
    const line = new DelayLine((chunk) => {
      if (this.current.fault?.mode === 'drop') return;
      if (to.destroyed) return void from.destroy();
      if (chunk === null) return void to.end();
      if (!to.write(chunk) && !draining) {
        draining = true;
        from.pause();
        to.once('drain', () => {
          draining = false;
          from.resume();
        });
      }
    });
    from.on('data', (chunk: Buffer) => line.push(chunk, this.chunkDelayMs()));
    from.on('end', () => line.push(null, this.chunkDelayMs()));
    // Once the destination is gone there is nobody to deliver to; the source closing is no reason
    // to drop what it already sent.
    to.on('close', () => line.clear());
  }

  private chunkDelayMs(): number {
    const { fault } = this.current;
    if (fault?.mode !== 'latency') return 0;
    const jitter = fault.jitterMs ?? 0;
    return Math.max(0, fault.latencyMs + (Math.random() * 2 - 1) * jitter);
  }
}

function withDefaults(fault: ProxyFault): ProxyFault {
  if (fault.mode === 'latency') return { ...fault, jitterMs: fault.jitterMs ?? 0 };
  if (fault.mode === 'http-error') return { ...fault, status: fault.status ?? 503 };
  return { ...fault };
}

function resetConnection({ client, upstream }: Connection): void {
  if (!client.destroyed) client.resetAndDestroy();
  upstream?.destroy();
}

function closeConnection({ client, upstream }: Connection): void {
  client.destroy();
  upstream?.destroy();
}

/**
 * Delivers items after a per-item delay without reordering them: an item is never delivered
 * before the one pushed ahead of it. `null` stands for the end of the stream.
 */
class DelayLine {
  private readonly queue: { at: number; item: Buffer | null }[] = [];
  private timer?: NodeJS.Timeout;

  constructor(private readonly deliver: (item: Buffer | null) => void) {}

  push(item: Buffer | null, delayMs: number): void {
    if (this.queue.length === 0 && delayMs === 0) return this.deliver(item);
    const at = Math.max(performance.now() + delayMs, this.queue.at(-1)?.at ?? 0);
    this.queue.push({ at, item });
    this.schedule();
  }

  clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.queue.length = 0;
  }

  private schedule(): void {
    if (this.timer || this.queue.length === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const now = performance.now();
      while (this.queue.length > 0 && this.queue[0]!.at <= now) this.deliver(this.queue.shift()!.item);
      this.schedule();
    }, Math.max(0, this.queue[0]!.at - performance.now()));
  }
}
