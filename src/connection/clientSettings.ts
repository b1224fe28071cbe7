import type pg from 'pg';
import type { ResolvedConfig } from '../config/resolveConfig.js';

/** pg client options of every connection tododb opens: the pool's, the health probe's, the migrator's. */
export type ClientSettings = pg.ClientConfig & { enableChannelBinding?: boolean; sslnegotiation?: 'postgres' | 'direct'; options?: string };

/** pg client options derived from the resolved config. */
export function clientSettings(config: ResolvedConfig): ClientSettings {
  const { connection } = config;
  return {
    host: connection.host,
    port: connection.port,
    user: connection.user,
    // A function, not the string: pg keeps its `password` option on every client (and pg-pool on
    // its options) as a hidden field that `util.inspect(…, { showHidden: true })` still prints. A
    // closure keeps the secret out of every object a debugger or a log line can reach.
    password: connection.password,
    database: connection.database,
    ssl: config.ssl === false ? false : config.ssl,
    // Always named, so that pg never takes PGSSLNEGOTIATION from the environment behind the
    // resolved config's back. `direct` needs PostgreSQL 17+ on the server.
    sslnegotiation: connection.sslnegotiation ?? 'postgres',
    // libpq's `-c name=value` settings, checked by parseDatabaseUrl; never through PgBouncer.
    options: connection.options,
    connectionTimeoutMillis: config.connectTimeoutMs,
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
