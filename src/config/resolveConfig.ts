import type { ConnectionOptions } from 'node:tls';
import { ConfigError } from '../errors/errors.js';
import type { LoggingHooks } from '../observability/LoggingHooks.js';
import { parseDatabaseUrl, type ParsedDatabaseUrl } from './parseDatabaseUrl.js';
import { resolveDriver, type DriverName } from './resolveDriver.js';
import { resolveSsl } from './resolveSsl.js';
import { SETTINGS, type IntegerSetting, type Setting } from './settings.js';

/** Receives each SQL statement Sequelize runs, with its duration when known. */
export type SqlLogger = (sql: string, durationMs?: number) => void;

/** What `createDatabase()` accepts. Every field is optional; see the README for each default. */
export interface DatabaseConfig {
  /** `postgres://user:password@host:port/database?sslmode=require`. Default: `DATABASE_URL`. */
  url?: string;
  /** The connection pool of this handle. */
  pool?: {
    /** Most connections open at once. Default 10 (`DATABASE_POOL_MAX`). */
    max?: number;
    /** Connections kept open when idle. Default 0 (`DATABASE_POOL_MIN`), so Neon can scale to zero. */
    min?: number;
    /** How long an idle connection stays open, in ms. Default 10 000 (`DATABASE_POOL_IDLE_MS`). */
    idleMs?: number;
    /** How long a caller waits for a free connection, in ms. Default 15 000 (`DATABASE_POOL_ACQUIRE_TIMEOUT_MS`). */
    acquireTimeoutMs?: number;
    /**
     * Most callers that may wait for a connection; one more fails at once with a
     * `DatabaseUnavailableError` instead of queueing for the acquire timeout. Default 1000
     * (`DATABASE_POOL_MAX_WAITING`); 0 removes the bound. (A caller that the pool, at its
     * current pace, cannot serve within the acquire timeout fails at once whatever this says.)
     */
    maxWaiting?: number;
  };
  /**
   * TLS. `true` verifies the server certificate, `'no-verify'` encrypts without verifying,
   * `false` turns TLS off, an object is passed to `tls.connect`. Default: from the URL's `sslmode`,
   * else `DATABASE_SSL` (`true`, `false` or `no-verify`), else no TLS.
   */
  ssl?: boolean | 'no-verify' | ConnectionOptions;
  /** How long opening a connection may take, in ms. Default 10 000 (`DATABASE_CONNECT_TIMEOUT_MS`). */
  connectTimeoutMs?: number;
  /** Server-side `statement_timeout`, in ms; 0 turns it off. Default 15 000 (`DATABASE_STATEMENT_TIMEOUT_MS`). */
  statementTimeoutMs?: number;
  /**
   * Client-side bound on one query, in ms, for when the server cannot answer at all (a
   * black-holed host). Default 20 000 (`DATABASE_QUERY_TIMEOUT_MS`); 0 turns it off.
   */
  queryTimeoutMs?: number;
  /**
   * Set when the URL points at PgBouncer in transaction mode (Neon's `-pooler` host). Session
   * state is then never used: no startup parameters, no session locks. Default: detected from
   * the host name or `?pgbouncer=true` (`DATABASE_PGBOUNCER`).
   */
  pgbouncer?: boolean;
  /** Shown in `pg_stat_activity`. Default `tododb` (`DATABASE_APPLICATION_NAME`). */
  applicationName?: string;
  /**
   * The PostgreSQL schema that holds tododb's tables and its migration table. Default `public`
   * (`DATABASE_SCHEMA`). Every statement names it, so nothing depends on `search_path`.
   */
  schema?: string;
  /**
   * Send the service layer's statements as named prepared statements, parsed once per
   * connection. Default: on, except through PgBouncer in transaction mode, where a prepared
   * statement can land on another client's backend; turning it on there is a `ConfigError`.
   */
  preparedStatements?: boolean;
  /**
   * Sets the acting user of each service call (`app.user_id`, for this transaction only) so that
   * the row-level security policies on `tasks` hide other users' rows from an application role
   * that is not the tables' owner. Default false (`DATABASE_ROW_LEVEL_SECURITY`). See README.
   */
  rowLevelSecurity?: boolean;
  /**
   * What tododb tells about the SQL it runs. A function `(sql, durationMs)` receives each
   * statement as it is sent (Sequelize's with the values it writes into them). An object
   * `{ onQuery, onWarning }` receives one structured event per statement, for service and model
   * calls alike, never with a value, and the warnings Sequelize would print. Default: nothing
   * is logged, and Sequelize's warnings are dropped.
   */
  logging?: false | SqlLogger | LoggingHooks;
  /**
   * Read replicas (`postgres://` URLs of streaming standbys): reads of the service layer may go
   * to one, writes never do, and a user always reads their own writes. Default none
   * (`DATABASE_REPLICA_URLS`, comma-separated). See the README's "Read replicas".
   */
  replicaUrls?: string[];
  /**
   * `'neon-serverless'` connects through `@neondatabase/serverless` over WebSockets (install it,
   * and `ws` on Node 20); the `neonConfig` set on that package applies. Default `'pg'`
   * (`DATABASE_DRIVER`). See the README's "Neon serverless driver".
   */
  driver?: DriverName;
}

/** One read replica: where it is, and its TLS (the `ssl` option, else its own URL's `sslmode`). */
export interface ReplicaTarget {
  connection: ParsedDatabaseUrl;
  ssl: false | ConnectionOptions;
}

/** The single resolved configuration every part of tododb reads. */
export interface ResolvedConfig {
  connection: ParsedDatabaseUrl;
  pool: { max: number; min: number; idleMs: number; acquireTimeoutMs: number; maxWaiting: number };
  rowLevelSecurity: boolean;
  ssl: false | ConnectionOptions;
  connectTimeoutMs: number;
  statementTimeoutMs: number;
  queryTimeoutMs: number;
  pgbouncer: boolean;
  applicationName: string;
  schema: string;
  preparedStatements: boolean;
  /** The function form of `logging`, or false (also when `logging` is an object). */
  logging: false | SqlLogger;
  /** Read replicas, in the order given; empty without. */
  replicas: ReplicaTarget[];
  /** The object form of `logging`; undefined otherwise. */
  loggingHooks: LoggingHooks | undefined;
  driver: DriverName;
}

/** Environment variables by name, as in `process.env`: where settings without an option are read. */
export type Env = Record<string, string | undefined>;

// The options createDatabase() knows, from the settings table: `pool` and the top-level ones, and `pool`'s own.
const OPTION_PATHS = Object.values(SETTINGS as Record<string, Setting>).map((setting) => setting.option.split('.'));
const KNOWN_OPTIONS = new Set(OPTION_PATHS.map((path) => path[0]!));
const KNOWN_POOL_OPTIONS = new Set(OPTION_PATHS.filter((path) => path[0] === 'pool').map((path) => path[1]!));

/**
 * Turns `createDatabase()`'s options into one {@link ResolvedConfig}: an explicit option wins,
 * then the URL's own parameters, then `DATABASE_*` variables from `env`, then the defaults.
 * Throws a {@link ConfigError} naming the field at fault; no message ever contains a value.
 */
export function resolveConfig(input: DatabaseConfig = {}, env: Env = process.env): ResolvedConfig {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ConfigError('config', 'Expected the config to be an object');
  }
  rejectUnknown(input, KNOWN_OPTIONS, '');
  if (input.pool !== undefined) {
    if (typeof input.pool !== 'object' || input.pool === null) {
      throw new ConfigError('pool', 'Expected `pool` to be an object');
    }
    rejectUnknown(input.pool, KNOWN_POOL_OPTIONS, 'pool.');
  }

  const url = input.url ?? nonEmpty(env[SETTINGS.url.env]);
  if (url === undefined) {
    throw new ConfigError('url', 'No database URL: pass `url` or set DATABASE_URL');
  }
  if (typeof url !== 'string') {
    throw new ConfigError('url', 'Expected `url` to be a string');
  }
  const urlField = input.url === undefined ? 'DATABASE_URL' : 'url';
  const connection = parseDatabaseUrl(url, urlField);

  const number = (setting: IntegerSetting, fromUrl?: number): number => resolveNumber(setting, input, env, fromUrl);
  const pool = {
    max: number(SETTINGS.poolMax),
    min: number(SETTINGS.poolMin),
    idleMs: number(SETTINGS.poolIdleMs),
    acquireTimeoutMs: number(SETTINGS.poolAcquireTimeoutMs),
    maxWaiting: number(SETTINGS.poolMaxWaiting),
  };
  if (pool.min > pool.max) {
    throw new ConfigError('pool.min', 'Expected `pool.min` to be at most `pool.max`');
  }

  const applicationName =
    input.applicationName ?? connection.applicationName ?? nonEmpty(env[SETTINGS.applicationName.env]) ?? SETTINGS.applicationName.fallback;
  if (typeof applicationName !== 'string' || applicationName.length > 63) {
    // Name where the bad value came from, as the numeric settings and the URL's parameters do.
    const field =
      input.applicationName !== undefined
        ? 'applicationName'
        : connection.applicationName !== undefined
          ? urlField
          : SETTINGS.applicationName.env;
    const what = field === urlField ? `application_name in \`${urlField}\`` : `\`${field}\``;
    throw new ConfigError(field, `Expected ${what} to be a string of at most 63 characters`);
  }

  const pgbouncer = resolvePgbouncer(input, connection, env);
  if (pgbouncer && connection.options !== undefined) {
    // PgBouncer in transaction mode refuses the startup parameter, as it does statement_timeout.
    throw new ConfigError(
      urlField,
      `\`${urlField}\` has options, which PgBouncer in transaction mode refuses: set them on the role instead (ALTER ROLE … SET)`,
    );
  }

  const ssl = resolveSsl(input.ssl, connection, env, urlField);
  const sslField = input.ssl !== undefined ? 'ssl' : connection.sslmode !== undefined ? urlField : 'DATABASE_SSL';
  return {
    connection,
    pool,
    ssl,
    connectTimeoutMs: number(SETTINGS.connectTimeoutMs, connection.connectTimeoutMs),
    statementTimeoutMs: number(SETTINGS.statementTimeoutMs),
    queryTimeoutMs: number(SETTINGS.queryTimeoutMs),
    pgbouncer,
    applicationName,
    schema: resolveSchema(input, env),
    preparedStatements: resolvePreparedStatements(input, pgbouncer),
    rowLevelSecurity: resolveBoolean(input.rowLevelSecurity, SETTINGS.rowLevelSecurity, env),
    ...resolveLogging(input.logging),
    replicas: resolveReplicas(input, env, pgbouncer),
    driver: resolveDriver({ driver: input.driver, env, connection, ssl, sslField, urlField }),
  };
}

/**
 * `replicaUrls`, else `DATABASE_REPLICA_URLS` (comma-separated; a comma inside a password is
 * written %2C). Each URL is checked as the primary's is; errors name `replicaUrls[i]`.
 */
function resolveReplicas(input: DatabaseConfig, env: Env, pgbouncer: boolean): ReplicaTarget[] {
  let urls: unknown[];
  let field: string;
  if (input.replicaUrls !== undefined) {
    if (!Array.isArray(input.replicaUrls))
      throw new ConfigError('replicaUrls', 'Expected `replicaUrls` to be an array of postgres:// URLs');
    urls = input.replicaUrls;
    field = 'replicaUrls';
  } else {
    urls =
      nonEmpty(env.DATABASE_REPLICA_URLS)
        ?.split(',')
        .map((url) => url.trim()) ?? [];
    field = 'DATABASE_REPLICA_URLS';
  }
  return urls.map((url, i) => {
    const name = `${field}[${i}]`;
    if (typeof url !== 'string' || url === '') throw new ConfigError(name, `Expected \`${name}\` to be a postgres:// URL`);
    const connection = parseDatabaseUrl(url, name);
    // The handle's connection settings apply to its replicas too: startup parameters, prepared
    // statements. A replica behind PgBouncer with a primary that is not would be sent both.
    if (connection.pgbouncer ?? /-pooler\./.test(connection.host)) {
      if (!pgbouncer)
        throw new ConfigError(
          name,
          `\`${name}\` points at PgBouncer but the primary's URL does not: use pooled URLs for both, or direct URLs for both`,
        );
    }
    return { connection, ssl: resolveSsl(input.ssl, connection, env, name) };
  });
}
const LOGGING_HOOKS = ['onQuery', 'onWarning'] as const;

function resolveLogging(logging: unknown): Pick<ResolvedConfig, 'logging' | 'loggingHooks'> {
  if (logging === undefined || logging === false) return { logging: false, loggingHooks: undefined };
  if (typeof logging === 'function') return { logging: logging as SqlLogger, loggingHooks: undefined };
  if (typeof logging !== 'object' || logging === null || Array.isArray(logging)) {
    throw new ConfigError(
      'logging',
      'Expected `logging` to be false, a function (sql, durationMs) or an object with onQuery and onWarning functions',
    );
  }
  rejectUnknown(logging, new Set(LOGGING_HOOKS), 'logging.');
  const hooks: LoggingHooks = {};
  for (const name of LOGGING_HOOKS) {
    const hook = (logging as Record<string, unknown>)[name];
    if (hook === undefined) continue;
    if (typeof hook !== 'function') throw new ConfigError(`logging.${name}`, `Expected \`logging.${name}\` to be a function`);
    hooks[name] = hook as never;
  }
  return { logging: false, loggingHooks: hooks };
}

// A plain identifier, used as written (quoted) in every statement. Lower case, digits and
// underscores only: a name that needs quoting in psql would surprise whoever types it there.
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

function resolveSchema(input: DatabaseConfig, env: Env): string {
  const field = input.schema !== undefined ? SETTINGS.schema.option : SETTINGS.schema.env;
  const schema = input.schema ?? nonEmpty(env[SETTINGS.schema.env])?.trim() ?? SETTINGS.schema.fallback;
  if (typeof schema !== 'string' || !SCHEMA_NAME.test(schema) || schema.startsWith('pg_')) {
    throw new ConfigError(
      field,
      `Expected \`${field}\` to be a schema name: lower-case letters, digits and underscores, starting with a letter or underscore, at most 63 characters, not starting with pg_`,
    );
  }
  return schema;
}

function resolveBoolean(value: unknown, setting: { option: string; env: string; fallback: boolean }, env: Env): boolean {
  const { option: field, env: variable, fallback } = setting;
  if (value !== undefined) {
    if (typeof value !== 'boolean') throw new ConfigError(field, `Expected \`${field}\` to be a boolean`);
    return value;
  }
  const text = nonEmpty(env[variable]);
  if (text === undefined) return fallback;
  if (text !== 'true' && text !== 'false') throw new ConfigError(variable, `Expected \`${variable}\` to be true or false`);
  return text === 'true';
}

function resolvePreparedStatements(input: DatabaseConfig, pgbouncer: boolean): boolean {
  if (input.preparedStatements === undefined) return !pgbouncer;
  if (typeof input.preparedStatements !== 'boolean') {
    throw new ConfigError('preparedStatements', 'Expected `preparedStatements` to be a boolean');
  }
  if (input.preparedStatements && pgbouncer) {
    throw new ConfigError(
      'preparedStatements',
      "Prepared statements are unsafe through PgBouncer in transaction mode (a statement can run on another client's backend): leave `preparedStatements` unset or false with `pgbouncer: true`",
    );
  }
  return input.preparedStatements;
}

function resolveNumber(setting: IntegerSetting, input: DatabaseConfig, env: Env, fromUrl: number | undefined): number {
  const explicit = setting.read(input);
  if (explicit !== undefined) {
    return checkNumber(explicit, setting.option, setting.min);
  }
  if (fromUrl !== undefined) {
    return fromUrl;
  }
  const text = nonEmpty(env[setting.env]);
  if (text !== undefined) {
    return checkNumber(/^\d+$/.test(text.trim()) ? Number(text) : Number.NaN, setting.env, setting.min);
  }
  return setting.fallback;
}

// Every setting is a count or a duration that ends up in a Node timer, which fires at once
// above 2^31 - 1 ms: a larger value would turn "wait long" into "do not wait at all".
const MAX_SETTING = 2_147_483_647;

function checkNumber(value: unknown, field: string, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > MAX_SETTING) {
    const kind = min === 0 ? 'a non-negative integer' : 'a positive integer';
    throw new ConfigError(field, `Expected \`${field}\` to be ${kind} of at most ${MAX_SETTING}`);
  }
  return value;
}

function resolvePgbouncer(input: DatabaseConfig, connection: ParsedDatabaseUrl, env: Env): boolean {
  if (input.pgbouncer !== undefined) {
    if (typeof input.pgbouncer !== 'boolean') {
      throw new ConfigError('pgbouncer', 'Expected `pgbouncer` to be a boolean');
    }
    return input.pgbouncer;
  }
  if (connection.pgbouncer !== undefined) {
    return connection.pgbouncer;
  }
  const variable = SETTINGS.pgbouncer.env;
  const text = nonEmpty(env[variable]);
  if (text !== undefined) {
    if (text !== 'true' && text !== 'false') {
      throw new ConfigError(variable, `Expected \`${variable}\` to be true or false`);
    }
    return text === 'true';
  }
  // Neon's pooled endpoints are named `<endpoint>-pooler.<region>…`.
  return /-pooler\./.test(connection.host);
}

function rejectUnknown(object: object, known: Set<string>, prefix: string): void {
  for (const key of Object.keys(object)) {
    if (!known.has(key)) {
      throw new ConfigError(`${prefix}${key}`, `Unknown option \`${prefix}${key}\``);
    }
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
