import { createSocket, type RemoteInfo } from 'node:dgram';
import { isIPv4 } from 'node:net';
import dnsPacket, { type Answer, type DecodedPacket } from 'dns-packet';

export interface DnsQuestion {
  /** Lower case, without the trailing dot. */
  name: string;
  type: string;
}

export interface DnsAnswer {
  records: { type: 'A'; address: string; ttl: number }[];
}

export interface DnsServerOptions {
  host: string;
  port: number;
  /** undefined: the name does not exist (NXDOMAIN); a throw: the server failed (SERVFAIL). */
  answer: (question: DnsQuestion) => Promise<DnsAnswer | undefined> | DnsAnswer | undefined;
}

export interface DnsServer {
  host: string;
  port: number;
  /** How many queries were answered so far. */
  readonly queries: number;
  close(): Promise<void>;
}

const RCODE = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3 } as const;

/**
 * A small authoritative DNS server on UDP, for the lab's hosted zone. A zone whose control plane
 * is down answers SERVFAIL, so clients see a broken DNS rather than a stale healthy answer.
 */
export async function startDnsServer(options: DnsServerOptions): Promise<DnsServer> {
  const socket = createSocket(options.host.includes(':') ? 'udp6' : 'udp4');
  let queries = 0;

  socket.on('message', (message: Buffer, from: RemoteInfo) => {
    let query: DecodedPacket;
    try {
      query = dnsPacket.decode(message);
    } catch {
      return; // not a DNS packet: there is no id to answer to
    }
    void answerQuery(query, options.answer).then((reply) => {
      queries++;
      // A client that went away before its answer is not the server's failure.
      socket.send(reply, from.port, from.address, () => {});
    });
  });

  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(options.port, options.host, () => {
      socket.off('error', reject);
      resolve();
    });
  });

  return {
    host: options.host,
    port: socket.address().port,
    get queries() {
      return queries;
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

async function answerQuery(query: DecodedPacket, answer: DnsServerOptions['answer']): Promise<Buffer> {
  const question = query.questions?.[0];
  const reply = (rcode: number, answers: Answer[] = []) => dnsPacket.encode({
    type: 'response',
    id: query.id ?? 0,
    // Authoritative, echoing the client's recursion-desired bit; the rcode is the low four bits.
    flags: dnsPacket.AUTHORITATIVE_ANSWER | (query.flag_rd ? dnsPacket.RECURSION_DESIRED : 0) | rcode,
    questions: question ? [question] : [],
    answers,
  });
  if (!question) return reply(RCODE.SERVFAIL);
  try {
    const found = await answer({ name: normalizeName(question.name), type: question.type });
    if (!found) return reply(RCODE.NXDOMAIN);
    const records = found.records.filter((r) => r.type === question.type);
    if (!records.every((r) => isIPv4(r.address))) return reply(RCODE.SERVFAIL); // a zone holding garbage is broken
    return reply(RCODE.NOERROR, records.map((r) => ({ type: 'A', class: 'IN', name: question.name, ttl: r.ttl, data: r.address })));
  } catch {
    return reply(RCODE.SERVFAIL);
  }
}

function normalizeName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}
