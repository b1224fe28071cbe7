import pg from 'pg';
import type { ResolvedConfig } from '../config/resolveConfig.js';
import { requireChannelBinding } from './requireChannelBinding.js';

const QUERY_READ_TIMEOUT = 'Query read timeout';

/**
 * Builds the `pg` module Sequelize connects through: the real one, except that its `Client`
 * carries tododb's connection settings. Sequelize forwards only some pg options, so this is
 * where every one of ours is applied, in one place, for every connection of the pool.
 */
export function createPgModule(config: ResolvedConfig): typeof pg {
  const settings = clientSettings(config);

  class TododbClient extends pg.Client {
    constructor(options: pg.ClientConfig) {
      super({ ...options, ...settings });
      if (config.connection.channelBinding) requireChannelBinding(this);
    }

    // pg's query_timeout gives up on the answer but leaves the connection busy with the query
    // it gave up on: against a black-holed host every later query on it would wait too. A
    // connection that timed out is therefore closed and dropped from the pool.
    override query(...args: unknown[]): never {
      const last = args[args.length - 1];
      if (typeof last === 'function') {
        args[args.length - 1] = (error: Error | null, result: unknown) => {
          if (error?.message === QUERY_READ_TIMEOUT) this.discard();
          (last as (e: Error | null, r: unknown) => void)(error, result);
        };
      }
      const result = (super.query as (...a: unknown[]) => unknown)(...args);
      if (result instanceof Promise) {
        result.catch((error: unknown) => {
          if (error instanceof Error && error.message === QUERY_READ_TIMEOUT) this.discard();
        });
      }
      return result as never;
    }

    private discard(): void {
      // `_invalid` is what Sequelize's pool validation looks at.
      (this as unknown as { _invalid: boolean })._invalid = true;
      (this as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    }
  }

  // Sequelize reads `Client` and `types`; the rest is passed through unchanged.
  return Object.assign(Object.create(pg) as typeof pg, { Client: TododbClient });
}

/** pg client options derived from the resolved config, shared with the health probe. */
export function clientSettings(
  config: ResolvedConfig,
): pg.ClientConfig & { enableChannelBinding?: boolean; sslnegotiation?: 'postgres' | 'direct'; options?: string } {
  const { connection } = config;
  return {
    host: connection.host,
    port: connection.port,
    user: connection.user,
    password: connection.password,
    database: connection.database,
    ssl: config.ssl === false ? false : config.ssl,
    // Always named, so that pg never takes PGSSLNEGOTIATION from the environment behind the
    // resolved config's back. `direct` needs PostgreSQL 17+ on the server.
    sslnegotiation: connection.sslnegotiation ?? 'postgres',
    // libpq's `-c name=value` settings, checked by parseDatabaseUrl; never through PgBouncer.
    options: connection.options,
    connectionTimeoutMillis: config.connectTimeoutMs,
    query_timeout: config.queryTimeoutMs === 0 ? undefined : config.queryTimeoutMs,
    // PgBouncer in transaction mode rejects startup parameters it does not know, and a
    // session-level SET would land on whichever backend serves the next transaction. There the
    // server-side timeout comes from the role (ALTER ROLE … SET statement_timeout), see README.
    statement_timeout: config.pgbouncer || config.statementTimeoutMs === 0 ? undefined : config.statementTimeoutMs,
    application_name: config.applicationName,
    keepAlive: true,
    keepAliveInitialDelayMillis: 10_000,
    // pg only prefers binding with this; requireChannelBinding() makes it a requirement.
    enableChannelBinding: connection.channelBinding,
  };
}
