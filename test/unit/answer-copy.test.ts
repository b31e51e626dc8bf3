import { expect } from 'chai';
import { keepAnswerCopy, type AnswerCopy } from '../../lab/answer-copy.js';
import type { DnsAnswer } from '../../lab/dns-server.js';

const answerOf = (address: string): DnsAnswer => ({ records: [{ type: 'A', address, ttl: 1 }] });
const addressOf = (copy: AnswerCopy) => copy.current().records[0]!.address;

/** A control plane whose reads the test answers one by one, in any order. */
function controlPlane() {
  const pending: { resolve: (answer: DnsAnswer) => void; reject: (error: Error) => void }[] = [];
  let called: (() => void) | undefined;
  return {
    pending,
    read: () => new Promise<DnsAnswer>((resolve, reject) => {
      pending.push({ resolve, reject });
      called?.();
    }),
    /** Resolves once `count` reads have been made. */
    reads: (count: number) => new Promise<void>((resolve) => {
      const check = () => { if (pending.length >= count) resolve(); };
      called = check;
      check();
    }),
  };
}

/** The lab's nameserver answers from its own copy of the zone (lab/answer-copy.ts). */
describe('the lab nameserver\'s copy of the zone', () => {
  let copy: AnswerCopy | undefined;
  afterEach(() => { copy?.close(); copy = undefined; });

  it('answers every query from the copy: one read of the control plane, however many queries', async () => {
    let reads = 0;
    copy = await keepAnswerCopy(async () => { reads++; return answerOf('127.0.0.10'); }, 60_000);
    for (let i = 0; i < 100; i++) expect(addressOf(copy)).to.equal('127.0.0.10');
    expect(reads).to.equal(1);
  });

  it('holds a change once refresh() resolves: the lab awaits it before its switch counts as in sync', async () => {
    let address = '127.0.0.10';
    copy = await keepAnswerCopy(async () => answerOf(address), 60_000);
    address = '127.0.0.20';
    expect(addressOf(copy), 'until it is read again').to.equal('127.0.0.10');
    await copy.refresh();
    expect(addressOf(copy)).to.equal('127.0.0.20');
  });

  it('never lets a read that started before a refresh replace what the refresh read', async () => {
    const plane = controlPlane();
    const started = keepAnswerCopy(plane.read, 60_000);
    plane.pending[0]!.resolve(answerOf('127.0.0.10'));
    copy = await started;
    const before = copy.refresh(); // a read in flight when the zone changes (a periodic one)
    const after = copy.refresh(); // the refresh the lab makes after its change
    await plane.reads(3);
    plane.pending[2]!.resolve(answerOf('127.0.0.20'));
    await after;
    plane.pending[1]!.resolve(answerOf('127.0.0.10'));
    await before;
    expect(addressOf(copy)).to.equal('127.0.0.20');
  });

  it('fails while the control plane does (the server answers SERVFAIL, not a stale answer), and recovers with it', async () => {
    let broken = false;
    copy = await keepAnswerCopy(async () => {
      if (broken) throw new Error('control plane down');
      return answerOf('127.0.0.10');
    }, 60_000);
    broken = true;
    await copy.refresh();
    expect(() => copy!.current()).to.throw('control plane down');
    broken = false;
    await copy.refresh();
    expect(addressOf(copy)).to.equal('127.0.0.10');
  });

  it('reads the control plane again every refreshMs, for changes the lab did not make', async () => {
    const plane = controlPlane();
    const started = keepAnswerCopy(plane.read, 5);
    plane.pending[0]!.resolve(answerOf('127.0.0.10'));
    copy = await started;
    await plane.reads(2);
    plane.pending[1]!.resolve(answerOf('127.0.0.30'));
    await plane.reads(3); // the next periodic read starts only after the one before has finished
    expect(addressOf(copy)).to.equal('127.0.0.30');
  });
});
