import { DEFAULT_SCHEMA } from '../schema/names.js';
import type { DatabaseConfig } from './resolveConfig.js';

/** How a setting's value is read from its environment variable (an option is checked by the same rule). */
export type SettingParser =
  /** A whole number from `min` to 2^31 - 1. */
  | 'integer'
  /** `true` or `false`. */
  | 'boolean'
  /** Text, as given. */
  | 'string'
  /** A `postgres://` URL (parseDatabaseUrl.ts). */
  | 'url'
  /** `true`, `false` or `no-verify`, under the URL's `sslmode` (resolveSsl.ts). */
  | 'ssl'
  /** No variable: an option only. */
  | 'none';

/** One setting of `createDatabase()`: where it comes from and what it is when nothing sets it. */
export interface Setting {
  /** The option's path in {@link DatabaseConfig}. */
  option: string;
  /** The environment variable read when the option is not given; none for options that cannot come from text. */
  env?: string;
  /** The value when nothing sets it, or `undefined` when it is worked out (see `defaultText`). */
  fallback?: number | string | boolean;
  /** The default as the README's table words it, when there is no plain `fallback`. */
  defaultText?: string;
  parse: SettingParser;
  /** The smallest value of an `integer` setting. */
  min?: number;
  /** Reads the option from the caller's config (before any check). */
  read: (config: DatabaseConfig) => unknown;
  /** What it does, in a few words: the README's table says it at more length. */
  doc: string;
}

/**
 * Every setting of `createDatabase()` in one table, in the order of the README's configuration
 * table: resolveConfig.ts reads the variables, defaults and floors from here, and
 * tests/config.docs.test.ts checks the README's table and `.env.example` against it.
 */
export const SETTINGS = {
  url: { option: 'url', env: 'DATABASE_URL', defaultText: '— (required)', parse: 'url', read: (c) => c.url, doc: 'where the database is' },
  poolMax: {
    option: 'pool.max',
    env: 'DATABASE_POOL_MAX',
    fallback: 10,
    parse: 'integer',
    min: 1,
    read: (c) => c.pool?.max,
    doc: 'most connections open at once',
  },
  poolMin: {
    option: 'pool.min',
    env: 'DATABASE_POOL_MIN',
    fallback: 0,
    parse: 'integer',
    min: 0,
    read: (c) => c.pool?.min,
    doc: 'connections kept open when idle',
  },
  poolIdleMs: {
    option: 'pool.idleMs',
    env: 'DATABASE_POOL_IDLE_MS',
    fallback: 10_000,
    parse: 'integer',
    min: 1,
    read: (c) => c.pool?.idleMs,
    doc: 'an idle connection is closed after this long',
  },
  poolAcquireTimeoutMs: {
    option: 'pool.acquireTimeoutMs',
    env: 'DATABASE_POOL_ACQUIRE_TIMEOUT_MS',
    fallback: 15_000,
    parse: 'integer',
    min: 1,
    read: (c) => c.pool?.acquireTimeoutMs,
    doc: 'longest wait for a free connection',
  },
  connectTimeoutMs: {
    option: 'connectTimeoutMs',
    env: 'DATABASE_CONNECT_TIMEOUT_MS',
    fallback: 10_000,
    parse: 'integer',
    min: 1,
    read: (c) => c.connectTimeoutMs,
    doc: 'longest wait to open a connection',
  },
  statementTimeoutMs: {
    option: 'statementTimeoutMs',
    env: 'DATABASE_STATEMENT_TIMEOUT_MS',
    fallback: 15_000,
    parse: 'integer',
    min: 0,
    read: (c) => c.statementTimeoutMs,
    doc: 'server-side statement_timeout',
  },
  queryTimeoutMs: {
    option: 'queryTimeoutMs',
    env: 'DATABASE_QUERY_TIMEOUT_MS',
    fallback: 20_000,
    parse: 'integer',
    min: 0,
    read: (c) => c.queryTimeoutMs,
    doc: 'client-side bound for a server that stops answering',
  },
  ssl: {
    option: 'ssl',
    env: 'DATABASE_SSL',
    defaultText: 'from `sslmode` and `sslrootcert`, else off',
    parse: 'ssl',
    read: (c) => c.ssl,
    doc: 'TLS',
  },
  pgbouncer: {
    option: 'pgbouncer',
    env: 'DATABASE_PGBOUNCER',
    defaultText: 'detected',
    parse: 'boolean',
    read: (c) => c.pgbouncer,
    doc: 'the URL goes through PgBouncer in transaction mode',
  },
  applicationName: {
    option: 'applicationName',
    env: 'DATABASE_APPLICATION_NAME',
    fallback: 'tododb',
    parse: 'string',
    read: (c) => c.applicationName,
    doc: 'shown in pg_stat_activity',
  },
  poolMaxWaiting: {
    option: 'pool.maxWaiting',
    env: 'DATABASE_POOL_MAX_WAITING',
    // Large: callers the pool cannot serve in time are refused by pace (PoolAdmission); this bound
    // only limits how many ride out an outage whose end nobody can foresee (see the soak).
    fallback: 1000,
    parse: 'integer',
    min: 0,
    read: (c) => c.pool?.maxWaiting,
    doc: 'callers that may queue for a connection',
  },
  schema: {
    option: 'schema',
    env: 'DATABASE_SCHEMA',
    fallback: DEFAULT_SCHEMA,
    parse: 'string',
    read: (c) => c.schema,
    doc: "the PostgreSQL schema of tododb's tables",
  },
  preparedStatements: {
    option: 'preparedStatements',
    defaultText: 'on, off through PgBouncer',
    parse: 'none',
    read: (c) => c.preparedStatements,
    doc: "the service layer's statements as named prepared statements",
  },
  rowLevelSecurity: {
    option: 'rowLevelSecurity',
    env: 'DATABASE_ROW_LEVEL_SECURITY',
    fallback: false,
    parse: 'boolean',
    read: (c) => c.rowLevelSecurity,
    doc: 'set the acting user for row-level security on each service call',
  },
  driver: {
    option: 'driver',
    env: 'DATABASE_DRIVER',
    fallback: 'pg',
    parse: 'string',
    read: (c) => c.driver,
    doc: "'neon-serverless': over WebSockets",
  },
  logging: { option: 'logging', defaultText: 'off', parse: 'none', read: (c) => c.logging, doc: 'receives every statement' },
  replicaUrls: {
    option: 'replicaUrls',
    env: 'DATABASE_REPLICA_URLS',
    defaultText: 'none',
    parse: 'string',
    read: (c) => c.replicaUrls,
    doc: 'read replicas (comma-separated in the variable)',
  },
} satisfies Record<string, Setting>;

/** A row of {@link SETTINGS} with a number default and floor: the counts and durations. */
export type IntegerSetting = Setting & { env: string; parse: 'integer'; fallback: number; min: number };
