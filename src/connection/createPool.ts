import pg from 'pg';
import type { ResolvedConfig } from '../config/resolveConfig.js';
import type { ParsedDatabaseUrl } from '../config/parseDatabaseUrl.js';
import { clientSettings } from './clientSettings.js';
import { withQueryEvents } from '../observability/withQueryEvents.js';
import { createClientClass } from './createClientClass.js';
import { LazyClientPool } from './LazyClientPool.js';
import { loadDriver, PG_DRIVER, requireDriverInstalled } from './loadDriver.js';

/**
 * A pool of connections with every tododb setting applied: the primary's pool of a handle, and
 * (with read replicas) one per replica, each bounded and timed like the primary's. `connection`
 * replaces the config's target, for a replica.
 */
export function createPool(config: ResolvedConfig, connection: ParsedDatabaseUrl = config.connection): pg.Pool {
  // With row-level security a statement travels with its BEGIN, acting user and COMMIT:
  // pipelined, that is one round trip instead of four (pg only: Neon's driver has no pipeline
  // mode and sends them one after another, which is as correct).
  const settings = { ...clientSettings({ ...config, connection }), ...(config.rowLevelSecurity ? { pipeline: true } : {}) };
  const options: pg.PoolConfig = {
    max: config.pool.max,
    min: config.pool.min,
    idleTimeoutMillis: config.pool.idleMs,
    // pg-pool bounds both the wait for a free connection and the opening of a new one with
    // this; each client's own connect timeout (clientSettings) bounds the opening alone.
    connectionTimeoutMillis: config.pool.acquireTimeoutMs,
  };
  let pool: pg.Pool;
  if (config.driver === 'pg') {
    // With `logging: { onQuery }`, one event per statement on these connections (src/observability).
    pool = new pg.Pool({ ...options, Client: withQueryEvents(createClientClass(settings, PG_DRIVER), config.loggingHooks?.onQuery) });
  } else {
    // A ConfigError now, from createDatabase(), when the package is not installed; it is loaded
    // (as an ES module where the application imports one) by the first connection.
    requireDriverInstalled(config.driver);
    pool = new LazyClientPool(options, () =>
      loadDriver(config.driver).then((driver) => withQueryEvents(createClientClass(settings, driver), config.loggingHooks?.onQuery)),
    );
  }
  // An idle connection that the server closes (a restart, idle_session_timeout) is dropped by
  // the pool, which then emits 'error': without a listener that would crash the process.
  pool.on('error', () => {});
  return pool;
}
