import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';

/**
 * DSSE envelopes (github.com/secure-systems-lab/dsse, v1) over in-toto Statements
 * (github.com/in-toto/attestation, Statement v1). A signature covers the PAE of the payload
 * type and the payload bytes, never the JSON around them, so re-serialising an envelope does
 * not break it and nothing but the payload can be changed under a signature.
 */
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';

export interface DsseSignature {
  /** SHA-256 of the signer's public key (SubjectPublicKeyInfo, DER), hex: see `keyIdOf`. */
  keyid: string;
  /** Base64. */
  sig: string;
}

export interface DsseEnvelope {
  payloadType: string;
  /** Base64 of the payload bytes. */
  payload: string;
  signatures: DsseSignature[];
}

export interface Statement<Predicate> {
  _type: typeof STATEMENT_TYPE;
  subject: { name: string; digest: { sha256: string } }[];
  predicateType: string;
  predicate: Predicate;
}

/** Whoever holds a private key: a key file, or a KMS key that never leaves KMS. */
export interface Signer {
  /** Where the key is, for messages: the file, or the KMS key id. */
  readonly description: string;
  /** The signature over `message`, naming the key it was made with. */
  sign(message: Buffer): Promise<DsseSignature>;
}

/** Pre-Authentication Encoding: `DSSEv1 <len(type)> <type> <len(body)> <body>`, lengths in bytes. */
export function pae(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${payload.length} `), payload]);
}

export async function signStatement(statement: Statement<unknown>, signer: Signer): Promise<DsseEnvelope> {
  const payload = Buffer.from(JSON.stringify(statement), 'utf8');
  return { payloadType: IN_TOTO_PAYLOAD_TYPE, payload: payload.toString('base64'), signatures: [await signer.sign(pae(IN_TOTO_PAYLOAD_TYPE, payload))] };
}

export function statementOf<Predicate>(envelope: DsseEnvelope): Statement<Predicate> {
  return JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')) as Statement<Predicate>;
}

export function isEnvelope(value: unknown): value is DsseEnvelope {
  const v = value as Partial<DsseEnvelope> | null;
  return typeof v === 'object' && v !== null && typeof v.payloadType === 'string' && typeof v.payload === 'string' && Array.isArray(v.signatures);
}

/** The id a signature names its key by: SHA-256 of the public key's DER SubjectPublicKeyInfo. */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
}

/** A public key from PEM or DER (SPKI): Ed25519 or ECDSA P-256 (what KMS ECC_NIST_P256 signs with). */
export function publicKeyFrom(bytes: Buffer): KeyObject {
  const text = bytes.toString('utf8');
  return text.includes('-----BEGIN') ? createPublicKey(text) : createPublicKey({ key: bytes, format: 'der', type: 'spki' });
}

/** True when `signature` is a valid signature by `publicKey` over the envelope's PAE. */
export function signatureIsValid(envelope: DsseEnvelope, signature: DsseSignature, publicKey: KeyObject): boolean {
  const message = pae(envelope.payloadType, Buffer.from(envelope.payload, 'base64'));
  const sig = Buffer.from(signature.sig, 'base64');
  try {
    return publicKey.asymmetricKeyType === 'ed25519'
      ? verify(null, message, publicKey, sig)
      : verify('sha256', message, { key: publicKey, dsaEncoding: 'der' }, sig);
  } catch {
    return false;
  }
}
