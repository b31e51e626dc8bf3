import { connect as connectTcp, isIP, type LookupFunction, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';

/** Where a connection goes: `host` is a name (resolved through `lookup` when given) or an address. */
export interface Http1Target {
  host: string;
  port: number;
  tls: boolean;
  lookup?: LookupFunction;
}

/** Where `url` points: its host without an IPv6 literal's brackets, and its port or the scheme's. */
export function http1TargetOf(url: URL, lookup?: LookupFunction): Http1Target {
  const tls = url.protocol === 'https:';
  return { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(url.port || (tls ? 443 : 80)), tls, ...(lookup ? { lookup } : {}) };
}

/** A response as a probe needs it: the status, the headers it asked to keep, and the body when asked for. */
export interface Http1Answer {
  status: number;
  /** Only the headers named in the exchange's `keepHeaders`, by lower-case name; the first of repeated ones. */
  headers: Record<string, string>;
  body: string;
}

export interface Http1Exchange {
  /** The whole request, encoded once by `encodeRequest`. */
  request: Buffer;
  /** A HEAD request's response has no body, whatever its headers say. */
  head: boolean;
  keepBody: boolean;
  keepHeaders: readonly string[];
}

/** The connection was closed or reset before any byte of the response came: a reused connection the server had let go. */
export class ConnectionClosedEarly extends Error {
  constructor(cause?: Error) {
    super((cause as { code?: string } | undefined)?.code ?? 'the connection closed before any response', cause ? { cause } : undefined);
  }
}

const MAX_HEAD_BYTES = 64 * 1024;
const CRLF = Buffer.from('\r\n');
const END_OF_HEAD = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = '\r\ncontent-length:';
const TRANSFER_ENCODING = '\r\ntransfer-encoding:';
const CONNECTION = '\r\nconnection:';

/**
 * Encodes a request once, so every sample writes the same bytes. A string body is sent as is,
 * anything else as JSON (with its content type unless the headers name one). Header values were
 * checked for line breaks by the settings (`httpHeaders`); `host` and `content-length` are the
 * client's to set.
 */
export function encodeRequest(url: URL, method: string, headers: Record<string, string>, body?: unknown): Buffer {
  const lines = [`${method} ${url.pathname}${url.search} HTTP/1.1`, `host: ${url.host}`];
  const names = new Set<string>();
  for (const [name, value] of Object.entries(headers)) {
    names.add(name.toLowerCase());
    if (!['host', 'content-length'].includes(name.toLowerCase())) lines.push(`${name}: ${value}`);
  }
  if (body !== undefined && typeof body !== 'string' && !names.has('content-type')) lines.push('content-type: application/json');
  const payload = body === undefined ? Buffer.alloc(0) : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  if (body !== undefined || !['GET', 'HEAD'].includes(method)) lines.push(`content-length: ${payload.length}`);
  return Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1'), payload]);
}

type BodyFraming = { kind: 'none' } | { kind: 'length'; left: number } | { kind: 'chunked' } | { kind: 'until-close' };

/**
 * One HTTP/1.1 connection that carries one exchange at a time, with a response parser of its own.
 * A probe needs little of HTTP (a status, a header or two, maybe the body), and at thousands of
 * samples a second a general client's per-request objects are most of the probe engine's garbage
 * and CPU (see bench/README.md). Bodies are framed by `content-length`, `chunked` or the
 * connection's close; a 1xx interim response is skipped.
 */
export class Http1Connection {
  /** The address the socket connected to, once connected. */
  address: string | undefined;
  private readonly socket: Socket;
  private alive = true;
  private exchanges = 0;
  private current: { exchange: Http1Exchange; resolve: (answer: Http1Answer) => void; reject: (error: unknown) => void } | undefined;
  private pending: Buffer | undefined;
  private received = 0;
  private state: 'head' | 'body' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailer' = 'head';
  private framing: BodyFraming = { kind: 'none' };
  private chunkLeft = 0;
  private status = 0;
  private headers: Record<string, string> = {};
  private body: Buffer[] = [];
  private keepOpen = true;

  constructor(target: Http1Target) {
    const options = { host: target.host, port: target.port, ...(target.lookup ? { lookup: target.lookup } : {}) };
    this.socket = target.tls ? connectTls({ ...options, ALPNProtocols: ['http/1.1'], ...(isIP(target.host) ? {} : { servername: target.host }) }) : connectTcp(options);
    this.socket.setNoDelay(true);
    this.socket.once(target.tls ? 'secureConnect' : 'connect', () => { this.address = this.socket.remoteAddress; });
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('error', (error) => this.end(error));
    this.socket.on('close', () => this.end());
  }

  /** Whether it can carry another exchange: open, idle, and kept alive by the last response. */
  get reusable(): boolean {
    return this.alive && this.current === undefined && this.keepOpen;
  }

  /** Whether an exchange has been carried before this one: a closed reused connection is worth one retry. */
  get reused(): boolean {
    return this.exchanges > 1;
  }

  exchange(exchange: Http1Exchange): Promise<Http1Answer> {
    if (!this.reusable) return Promise.reject(new Error('the connection is busy or closed'));
    this.exchanges++;
    this.received = 0;
    this.startResponse();
    return new Promise((resolve, reject) => {
      this.current = { exchange, resolve, reject };
      this.socket.write(exchange.request);
    });
  }

  /** Ends the exchange in flight with `reason` and closes the connection. */
  abort(reason: Error): void {
    this.settle(reason);
    this.destroy();
  }

  destroy(): void {
    this.alive = false;
    this.socket.destroy();
  }

  private startResponse(): void {
    this.state = 'head';
    this.status = 0;
    this.headers = {};
    this.body = [];
    this.pending = undefined;
  }

  private onData(chunk: Buffer): void {
    if (!this.current) {
      this.destroy(); // bytes nobody asked for: the connection cannot be trusted with another request
      return;
    }
    this.received += chunk.length;
    let buffer = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = undefined;
    try {
      while (this.current && buffer.length > 0) buffer = this.consume(buffer);
    } catch (error) {
      this.abort(error as Error);
      return;
    }
    if (!this.current && buffer.length > 0) this.destroy();
  }

  /** Parses what it can of `buffer`; returns the rest, keeping an incomplete line for the next chunk. */
  private consume(buffer: Buffer): Buffer {
    switch (this.state) {
      case 'head': {
        const end = buffer.indexOf(END_OF_HEAD);
        if (end < 0) return this.wait(buffer, 'response head');
        this.readHead(buffer.toString('latin1', 0, end));
        return buffer.subarray(end + END_OF_HEAD.length);
      }
      case 'body': {
        const framing = this.framing as { kind: 'length'; left: number } | { kind: 'until-close' };
        const take = framing.kind === 'length' ? Math.min(framing.left, buffer.length) : buffer.length;
        this.keep(buffer.subarray(0, take));
        if (framing.kind === 'length' && (framing.left -= take) === 0) this.complete();
        return buffer.subarray(take);
      }
      case 'chunk-size': {
        const end = buffer.indexOf(CRLF);
        if (end < 0) return this.wait(buffer, 'chunk size');
        const size = Number.parseInt(buffer.toString('latin1', 0, end).split(';')[0]!.trim(), 16);
        if (!Number.isFinite(size) || size < 0) throw new Error('malformed HTTP response: bad chunk size');
        this.chunkLeft = size;
        this.state = size === 0 ? 'trailer' : 'chunk-data';
        return buffer.subarray(end + CRLF.length);
      }
      case 'chunk-data': {
        const take = Math.min(this.chunkLeft, buffer.length);
        this.keep(buffer.subarray(0, take));
        if ((this.chunkLeft -= take) === 0) this.state = 'chunk-end';
        return buffer.subarray(take);
      }
      case 'chunk-end': {
        if (buffer.length < CRLF.length) return this.wait(buffer, 'chunk end');
        if (buffer[0] !== 13 || buffer[1] !== 10) throw new Error('malformed HTTP response: chunk not ended by CRLF');
        this.state = 'chunk-size';
        return buffer.subarray(CRLF.length);
      }
      case 'trailer': {
        const end = buffer.indexOf(CRLF);
        if (end < 0) return this.wait(buffer, 'trailer');
        if (end === 0) this.complete();
        return buffer.subarray(end + CRLF.length);
      }
    }
  }

  private wait(buffer: Buffer, what: string): Buffer {
    if (buffer.length > MAX_HEAD_BYTES) throw new Error(`malformed HTTP response: ${what} longer than ${MAX_HEAD_BYTES} bytes`);
    this.pending = buffer;
    return Buffer.alloc(0);
  }

  /** One lower-cased copy of the head, searched for the few headers that matter: no string per header line. */
  private readHead(head: string): void {
    if (!head.startsWith('HTTP/1.') || head.charCodeAt(8) !== 32) throw new Error('malformed HTTP response: no status line');
    const status = Number(head.slice(9, 12));
    if (!Number.isInteger(status) || status < 100) throw new Error('malformed HTTP response: no status line');
    if (status < 200) {
      if (status === 101) throw new Error('the server switched protocols (101), which a probe does not follow');
      return; // an interim response: the real one follows
    }
    const lower = head.toLowerCase();
    const headerValue = (needle: string) => {
      const at = lower.indexOf(needle);
      if (at < 0) return undefined;
      const end = lower.indexOf('\r\n', at + needle.length);
      return head.slice(at + needle.length, end < 0 ? undefined : end).trim();
    };
    const { keepHeaders, head: isHead } = this.current!.exchange;
    for (const name of keepHeaders) {
      const value = headerValue(`\r\n${name}:`);
      if (value !== undefined) this.headers[name] = value;
    }
    const lengthText = headerValue(CONTENT_LENGTH);
    const length = lengthText === undefined ? undefined : Number(lengthText);
    if (length !== undefined && !(lengthText !== '' && Number.isInteger(length) && length >= 0)) throw new Error('malformed HTTP response: bad content-length');
    const chunked = /(^|,)\s*chunked\s*$/.test(headerValue(TRANSFER_ENCODING) ?? '');
    const connection = headerValue(CONNECTION)?.toLowerCase() ?? (head.charCodeAt(7) === 49 ? 'keep-alive' : 'close');
    this.status = status;
    this.keepOpen = connection.split(',').some((token) => token.trim() === 'keep-alive');
    const empty = isHead || status === 204 || status === 304;
    this.framing = empty ? { kind: 'none' } : chunked ? { kind: 'chunked' } : length !== undefined ? { kind: 'length', left: length } : { kind: 'until-close' };
    if (this.framing.kind === 'until-close') this.keepOpen = false;
    this.state = this.framing.kind === 'chunked' ? 'chunk-size' : 'body';
    if (this.framing.kind === 'none' || (this.framing.kind === 'length' && this.framing.left === 0)) this.complete();
  }

  private keep(bytes: Buffer): void {
    if (this.current?.exchange.keepBody && bytes.length > 0) this.body.push(bytes);
  }

  private complete(): void {
    const { current } = this;
    if (!current) return;
    this.current = undefined;
    current.resolve({ status: this.status, headers: this.headers, body: current.exchange.keepBody ? Buffer.concat(this.body).toString() : '' });
    this.startResponse();
    if (!this.keepOpen) this.destroy();
  }

  private end(error?: Error): void {
    this.alive = false;
    if (this.current && this.state === 'body' && this.framing.kind === 'until-close' && !error) this.complete();
    else this.settle(this.received === 0 ? new ConnectionClosedEarly(error) : error ?? new Error('the connection closed before the response ended'));
  }

  private settle(error: Error): void {
    const { current } = this;
    if (!current) return;
    this.current = undefined;
    current.reject(error);
  }
}
