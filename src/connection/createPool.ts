import pg from 'pg';
import type { ResolvedConfig } from '../config/resolveConfig.js';
import type { ParsedDatabaseUrl } from '../config/parseDatabaseUrl.js';
import { clientSettings } from './clientSettings.js';
import { withQueryEvents } from '../observability/withQueryEvents.js';
import { createClientClass } from './createClientClass.js';

/**
 * A pool of connections with every tododb setting applied: the primary's pool of a handle, and
 * (with read replicas) one per replica, each bounded and timed like the primary's. `connection`
 * replaces the config's target, for a replica.
 */
export function createPool(config: ResolvedConfig, connection: ParsedDatabaseUrl = config.connection): pg.Pool {
  const pool = new pg.Pool({
    // With row-level security a statement travels with its BEGIN, acting user and COMMIT:
    // pipelined, that is one round trip instead of four.
    // With `logging: { onQuery }`, one event per statement on these connections (src/observability).
    Client: withQueryEvents(
      createClientClass({ ...clientSettings({ ...config, connection }), ...(config.rowLevelSecurity ? { pipeline: true } : {}) }),
      config.loggingHooks?.onQuery,
    ),
    max: config.pool.max,
    min: config.pool.min,
    idleTimeoutMillis: config.pool.idleMs,
    // pg-pool bounds both the wait for a free connection and the opening of a new one with
    // this; each client's own connect timeout (clientSettings) bounds the opening alone.
    connectionTimeoutMillis: config.pool.acquireTimeoutMs,
  });
  // An idle connection that the server closes (a restart, idle_session_timeout) is dropped by
  // the pool, which then emits 'error': without a listener that would crash the process.
  pool.on('error', () => {});
  return pool;
}
