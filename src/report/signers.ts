import { GetPublicKeyCommand, SignCommand } from '@aws-sdk/client-kms';
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { kmsClient, type AwsTarget } from '../aws/clients.js';
import { arnsIn, arnsOfNamed, type Grant, type PermissionScope } from '../aws/permissions.js';
import { FiredrillError } from '../runtime/errors.js';
import { keyIdOf, publicKeyFrom, type Signer } from './dsse.js';

/** An Ed25519 private key in a PKCS#8 PEM file: the lab's signer, and an approver's. */
export function keyFileSigner(file: string): Signer {
  if (!existsSync(file)) throw new FiredrillError('FIREDRILL_ENVIRONMENT_INVALID', `${file}: no such signing key (create one with "firedrill report keygen --out ${file}")`);
  let privateKey;
  try {
    privateKey = createPrivateKey(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new FiredrillError('FIREDRILL_ENVIRONMENT_INVALID', `${file}: expected an Ed25519 private key in PEM (PKCS#8), got something else: ${(error as Error).message}`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new FiredrillError('FIREDRILL_ENVIRONMENT_INVALID', `${file}: expected an Ed25519 private key, got ${privateKey.asymmetricKeyType}`);
  const keyid = keyIdOf(createPublicKey(privateKey));
  return {
    description: file,
    async sign(message) {
      return { keyid, sig: sign(null, message, privateKey).toString('base64') };
    },
  };
}

/** Writes a new Ed25519 key pair: `file` (private, mode 0600) and `file`.pub (public, to hand to auditors). */
export function generateKeyFile(file: string): { privateFile: string; publicFile: string; keyid: string } {
  if (existsSync(file)) throw new FiredrillError('FIREDRILL_ENVIRONMENT_INVALID', `${file}: already exists; a signing key is never overwritten`);
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  const publicFile = `${file}.pub`;
  writeFileSync(publicFile, publicKey.export({ type: 'spki', format: 'pem' }));
  return { privateFile: file, publicFile, keyid: keyIdOf(publicKey) };
}

/** The key file at `file`, created when it first signs: the default when no signing key is configured. */
export function defaultKeyFileSigner(file: string): Signer {
  let signer: Signer | undefined;
  return {
    description: file,
    async sign(message) {
      if (!signer) {
        if (!existsSync(file)) generateKeyFile(file);
        signer = keyFileSigner(file);
      }
      return signer.sign(message);
    },
  };
}

const KMS_RAW_LIMIT = 4096;
const SIGNING_ALGORITHM = 'ECDSA_SHA_256';

/**
 * Sign (with the one algorithm) and GetPublicKey on the signing key. KMS authorizes both on the
 * key itself: a key named by an alias is any key of the account, held to that alias by
 * kms:RequestAlias.
 */
export function kmsSignerPermissions(kms: { keyId: string; region: string }, scope: PermissionScope): Grant[] {
  const alias = /^(?:arn:[^:]+:kms:[^:]*:\d*:)?(alias\/.+)$/.exec(kms.keyId)?.[1];
  const key = alias ? arnsIn(scope, 'kms', kms.region, 'key/*') : arnsOfNamed(scope, 'kms', kms.region, kms.keyId, (id) => `key/${id}`);
  const heldToAlias: Record<string, string> = alias ? { 'kms:RequestAlias': alias } : {};
  return [
    { purpose: 'SignHistoryRecords', actions: ['kms:Sign'], resources: key, condition: { StringEquals: { ...heldToAlias, 'kms:SigningAlgorithm': SIGNING_ALGORITHM } } },
    { purpose: 'ReadSigningPublicKey', actions: ['kms:GetPublicKey'], resources: key, ...(alias ? { condition: { StringEquals: heldToAlias } } : {}) },
  ];
}

/**
 * An asymmetric KMS key (ECC_NIST_P256, ECDSA_SHA_256): the private key never leaves KMS, and
 * the key id in each signature is that of the public key `GetPublicKey` (or `aws kms
 * get-public-key`) hands out, so an auditor verifies with the public key alone.
 */
export function kmsSigner(keyId: string, target: AwsTarget): Signer {
  const client = kmsClient(target);
  let keyid: Promise<string> | undefined;
  const keyIdOfKms = async () => {
    const { PublicKey } = await client.send(new GetPublicKeyCommand({ KeyId: keyId }));
    if (!PublicKey) throw new FiredrillError('FIREDRILL_ENVIRONMENT_INVALID', `KMS key ${keyId}: GetPublicKey returned no public key`);
    return keyIdOf(publicKeyFrom(Buffer.from(PublicKey)));
  };
  return {
    description: `KMS key ${keyId}`,
    async sign(message) {
      const id = await (keyid ??= keyIdOfKms());
      // KMS signs at most 4 KiB as a message; past that it is given the SHA-256 and signs that digest, the same ECDSA signature.
      const request = message.length <= KMS_RAW_LIMIT
        ? { Message: message, MessageType: 'RAW' as const }
        : { Message: createHash('sha256').update(message).digest(), MessageType: 'DIGEST' as const };
      const { Signature } = await client.send(new SignCommand({ KeyId: keyId, ...request, SigningAlgorithm: SIGNING_ALGORITHM }));
      if (!Signature) throw new Error(`KMS key ${keyId}: Sign returned no signature`);
      return { keyid: id, sig: Buffer.from(Signature).toString('base64') };
    },
  };
}
