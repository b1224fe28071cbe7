import pg from 'pg';
import type { ReplicaTarget, ResolvedConfig } from '../config/resolveConfig.js';
import { clientSettings } from '../connection/clientSettings.js';
import { destroySocket } from '../connection/pgInternals.js';
import { requireChannelBinding } from '../connection/requireChannelBinding.js';
import { translateError } from '../errors/translateError.js';
import type { ReplicaHealth } from './HealthReport.js';

// How far behind the primary the replica's data is. Zero when it has replayed all it received
// (an idle primary sends nothing, and the last replayed commit may be hours old); otherwise the
// age of the last commit it replayed. A server that is not in recovery is not behind anything.
const LAG = `SELECT CASE
  WHEN NOT pg_is_in_recovery() OR pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0
  ELSE GREATEST(0, extract(epoch FROM now() - pg_last_xact_replay_timestamp()) * 1000)
END::float8 AS lag_ms`;

/**
 * Probes one replica on a connection of its own, as the primary's probe does, within
 * `timeoutMs`; never throws. The result names no host: the replicas are listed in the order of
 * `replicaUrls`.
 */
export async function probeReplica(config: ResolvedConfig, target: ReplicaTarget, timeoutMs: number): Promise<ReplicaHealth> {
  const client = new pg.Client({
    ...clientSettings({ ...config, connection: target.connection, ssl: target.ssl }),
    application_name: `${config.applicationName}:health`,
    connectionTimeoutMillis: timeoutMs,
    query_timeout: timeoutMs,
    statement_timeout: config.pgbouncer ? undefined : timeoutMs,
  });
  if (target.connection.channelBinding) requireChannelBinding(client);
  client.on('error', () => {}); // a late socket error after we gave up must not crash the process
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  const probe = async (): Promise<ReplicaHealth> => {
    await client.connect();
    const { rows } = await client.query<{ lag_ms: number | null }>(LAG);
    const lag = rows[0]?.lag_ms;
    return lag === null || lag === undefined ? { status: 'ok' } : { status: 'ok', lagMs: Math.round(lag) };
  };
  let finished = false;
  try {
    const outcome = await Promise.race([probe(), timeout]);
    if (outcome === 'timeout') return { status: 'error', reason: `no answer within ${timeoutMs} ms` };
    finished = true;
    return outcome;
  } catch (error) {
    return { status: 'error', reason: translateError(error).message };
  } finally {
    clearTimeout(timer);
    // A server that never answered will not answer a Terminate either.
    if (!finished) destroySocket(client);
    client.end().catch(() => {});
  }
}
