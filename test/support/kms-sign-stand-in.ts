import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { startAwsStandIn, type AwsStandIn, type StandInReply } from './aws-stand-in.js';

/**
 * KMS `Sign` as AWS documents it, for what moto 5.2.5 does not model: moto ignores `MessageType`
 * (a `DIGEST` is signed as if it were the message) and has no 4 KiB limit on `RAW`. This stand-in
 * holds one ECC_NIST_P256 key and answers `GetPublicKey` and `Sign` (ECDSA_SHA_256) in KMS's JSON
 * protocol: `RAW` up to 4096 bytes is hashed and signed, a longer one refused with KMS's
 * ValidationException, and a `DIGEST` (32 bytes) signed as the hash it is. Node's crypto has no
 * ECDSA over a precomputed hash, so that step is done here with BigInt arithmetic on P-256.
 * Everything else goes on to moto.
 */
export async function startKmsSignStandIn(upstream: string): Promise<AwsStandIn & { keyId: string }> {
  const keyId = 'stand-in-p256-key';
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const d = BigInt(`0x${Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url').toString('hex')}`);
  const json = (body: unknown, status = 200): StandInReply => ({ status, contentType: 'application/x-amz-json-1.1', body: JSON.stringify(body) });
  const standIn = await startAwsStandIn({
    upstream,
    answer(request) {
      if (request.operation === 'GetPublicKey') {
        return json({ KeyId: keyId, KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', SigningAlgorithms: ['ECDSA_SHA_256'], PublicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64') });
      }
      if (request.operation !== 'Sign') return undefined;
      const { Message, MessageType = 'RAW' } = JSON.parse(request.body) as { Message: string; MessageType?: string };
      const message = Buffer.from(Message, 'base64');
      if (MessageType === 'RAW' && message.length > 4096) return json({ __type: 'ValidationException', message: 'Message must have length less than or equal to 4096' }, 400);
      if (MessageType === 'DIGEST' && message.length !== 32) return json({ __type: 'ValidationException', message: 'Digest is invalid length for algorithm ECDSA_SHA_256.' }, 400);
      const digest = MessageType === 'DIGEST' ? message : createHash('sha256').update(message).digest();
      return json({ KeyId: keyId, SigningAlgorithm: 'ECDSA_SHA_256', Signature: ecdsaP256Sign(digest, d).toString('base64') });
    },
  });
  return Object.assign(standIn, { keyId });
}

// NIST P-256 (FIPS 186-4, D.1.2.3).
const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const G = { x: 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n, y: 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n };
type Point = { x: bigint; y: bigint } | null;

const mod = (a: bigint, m: bigint) => ((a % m) + m) % m;
function inverse(a: bigint, m: bigint): bigint {
  let [oldR, r, oldS, s] = [mod(a, m), m, 1n, 0n];
  while (r !== 0n) {
    const q = oldR / r;
    [oldR, r] = [r, oldR - q * r];
    [oldS, s] = [s, oldS - q * s];
  }
  return mod(oldS, m);
}

function add(a: Point, b: Point): Point {
  if (!a) return b;
  if (!b) return a;
  if (a.x === b.x && mod(a.y + b.y, P) === 0n) return null;
  const slope = a.x === b.x ? mod(3n * a.x * a.x - 3n, P) * inverse(2n * a.y, P) : mod(b.y - a.y, P) * inverse(mod(b.x - a.x, P), P);
  const x = mod(slope * slope - a.x - b.x, P);
  return { x, y: mod(slope * (a.x - x) - a.y, P) };
}

function multiply(k: bigint, point: Point): Point {
  let result: Point = null;
  for (let addend = point; k > 0n; k >>= 1n, addend = add(addend, addend)) if (k & 1n) result = add(result, addend);
  return result;
}

/** ECDSA over a SHA-256 the caller computed, DER-encoded as KMS returns it. */
function ecdsaP256Sign(digest: Buffer, d: bigint): Buffer {
  const z = BigInt(`0x${digest.toString('hex')}`);
  for (;;) {
    const k = mod(BigInt(`0x${randomBytes(40).toString('hex')}`), N - 1n) + 1n;
    const r = mod(multiply(k, G)!.x, N);
    const s = mod(inverse(k, N) * (z + r * d), N);
    if (r !== 0n && s !== 0n) return derSignature(r, s);
  }
}

function derSignature(r: bigint, s: bigint): Buffer {
  const integer = (v: bigint) => {
    let bytes = Buffer.from(v.toString(16).padStart(64, '0'), 'hex');
    while (bytes.length > 1 && bytes[0] === 0 && bytes[1]! < 0x80) bytes = bytes.subarray(1);
    if (bytes[0]! >= 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
    return Buffer.concat([Buffer.from([0x02, bytes.length]), bytes]);
  };
  const body = Buffer.concat([integer(r), integer(s)]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}
