import { appendFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The superuser the lab's clusters are created with; loopback connections are trusted. */
export const LAB_USER = 'firedrill';
export const LAB_DATABASE = 'postgres';

/**
 * Settings every lab cluster shares, written once before the primary's first start so the
 * replica template inherits them. A standby refuses to start when max_connections,
 * max_wal_senders and the like are below what its pg_control recorded at initdb, so those
 * stay at initdb's values.
 * Replication is asynchronous on purpose: commits are acknowledged once flushed locally, and a
 * Region outage loses whatever the standby had not received yet.
 */
const CLUSTER_SETTINGS: Record<string, string> = {
  listen_addresses: "'127.0.0.1'",
  unix_socket_directories: "''",
  shared_buffers: "'32MB'",
  wal_level: 'replica',
  max_wal_senders: '10',
  max_replication_slots: '10',
  wal_keep_size: "'256MB'",
  hot_standby: 'on',
  synchronous_commit: 'on',
  // The lab models Regions and their links, not disks: a commit waits for its WAL write, not for a
  // flush to a shared CI disk, whose stalls of a second (the end-of-recovery checkpoint's among
  // them) made orders time out and canary writes pile up in flight with no fault injected.
  fsync: 'off',
  synchronous_standby_names: "''",
  // A black-holed standby must not hold a primary's fast shutdown for the default minute.
  wal_sender_timeout: "'5s'",
  // A standby notices a dead link within seconds and retries soon after it comes back.
  wal_receiver_timeout: "'2s'",
  wal_retrieve_retry_interval: "'200ms'",
  wal_receiver_status_interval: "'1s'",
  log_min_messages: 'warning',
};

const HBA = [
  '# firedrill lab: trust the lab superuser on loopback, for queries and for replication',
  `host all ${LAB_USER} 127.0.0.0/8 trust`,
  `host replication ${LAB_USER} 127.0.0.0/8 trust`,
  '',
].join('\n');

function settingsText(settings: Record<string, string>): string {
  return Object.entries(settings).map(([key, value]) => `${key} = ${value}`).join('\n') + '\n';
}

/** Later lines in postgresql.conf override earlier ones, so appending is enough. */
async function appendSettings(dataDir: string, comment: string, settings: Record<string, string>): Promise<void> {
  await appendFile(join(dataDir, 'postgresql.conf'), `\n# ${comment}\n${settingsText(settings)}`);
}

export async function configureCluster(dataDir: string): Promise<void> {
  await appendSettings(dataDir, 'firedrill lab cluster', CLUSTER_SETTINGS);
  await writeFile(join(dataDir, 'pg_hba.conf'), HBA);
}

export async function configureServer(dataDir: string, port: number): Promise<void> {
  await appendSettings(dataDir, 'firedrill lab server', { port: String(port) });
}

/** Turns a copy of the primary's fresh data directory into a standby streaming from `upstream`. */
export async function configureStandby(dataDir: string, upstream: { host: string; port: number }): Promise<void> {
  const conninfo = `host=${upstream.host} port=${upstream.port} user=${LAB_USER} application_name=recovery connect_timeout=2`;
  await appendSettings(dataDir, 'firedrill lab standby', { primary_conninfo: `'${conninfo}'` });
  await writeFile(join(dataDir, 'standby.signal'), '');
}
