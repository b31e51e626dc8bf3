import { join } from 'node:path';
import type { AwsTarget } from '../aws/clients.js';
import type { Grant, PermissionScope } from '../aws/permissions.js';
import type { HistoryConfig } from '../scenario/environment.js';
import { DrillHistory } from './drill-history.js';
import type { Signer } from './dsse.js';
import type { HistoryStore } from './history.js';
import { localHistory } from './local-history.js';
import { s3History, s3HistoryPermissions } from './s3-history.js';
import { defaultKeyFileSigner, keyFileSigner, kmsSigner, kmsSignerPermissions } from './signers.js';

/** The key a state folder signs with when the config names none (created when it first signs). */
export function defaultSigningKeyFile(stateDir: string): string {
  return join(stateDir, 'keys', 'history-signing.pem');
}

/**
 * The history the config's `history` section names, to append drills to: its S3 bucket, else
 * `<state-dir>/history.ndjson`, signed with its key file or KMS key, else the state folder's own key.
 */
export function openHistory(config: HistoryConfig | undefined, options: { stateDir: string }): DrillHistory {
  return new DrillHistory(historyStoreOf(config, options), signerOf(config, options.stateDir));
}

/** Where the history is, to read it or sign records off: `historyFile` (`--history FILE`) overrides the config. */
export function historyStoreOf(config: HistoryConfig | undefined, options: { stateDir: string; historyFile?: string }): HistoryStore {
  const s3 = config?.s3;
  if (options.historyFile || !s3) return localHistory(options.historyFile ?? join(options.stateDir, 'history.ndjson'));
  return s3History({ bucket: s3.bucket, prefix: s3.prefix, retentionDays: s3.retentionDays }, historyTarget(s3.region, s3.endpoint));
}

function signerOf(config: HistoryConfig | undefined, stateDir: string): Signer {
  const signing = config?.signing;
  if (!signing) return defaultKeyFileSigner(defaultSigningKeyFile(stateDir));
  if ('keyFile' in signing) return keyFileSigner(signing.keyFile);
  return kmsSigner(signing.kms.keyId, historyTarget(signing.kms.region, config.s3?.endpoint));
}

/** What appending a drill's signed record needs: the shared bucket's calls, and the KMS key's; a local history and key files need none. */
export function historyPermissions(config: HistoryConfig | undefined, scope: PermissionScope): Grant[] {
  const signing = config?.signing;
  return [
    ...(config?.s3 ? s3HistoryPermissions(config.s3) : []),
    ...(signing && 'kms' in signing ? kmsSignerPermissions(signing.kms, scope) : []),
  ];
}

/** S3 and KMS through the default credential chain; an emulator's endpoint where the config gives one. */
export function historyTarget(region: string, endpoint: string | undefined): AwsTarget {
  return { region, ...(endpoint ? { endpoints: { s3: endpoint, kms: endpoint } } : {}) };
}
