import pg from 'pg';
import { ConfigError, translateError, TododbError, type DatabaseConfig, type Env } from 'tododb';
// Not part of tododb's public API: the kit's build carries its own copy of the config resolution
// (a pure function; the errors it throws pass `instanceof` against the application's copy).
import { resolveConfig } from '../config/resolveConfig.js';
import type { AdminUrl } from './resolveAdminUrl.js';

/** The server test databases are made on, reached through the admin URL. */
export interface AdminServer {
  /** The admin URL as given; it may hold a password, so it is never printed. */
  readonly url: string;
  /** `host:port`, to tell servers apart in a cache key; no user, no password. */
  readonly address: string;
  /**
   * Runs `work` on a connection of its own, always closed afterwards. A failure becomes a
   * tododb error whose message says what the kit was doing (`action`, e.g. "create a test database").
   */
  withClient<T>(action: string, work: (client: pg.Client) => Promise<T>): Promise<T>;
  /** The URL of `database` on this server: the admin URL with its database name replaced. */
  databaseUrl(database: string): string;
}

/**
 * Opens (lazily) the admin side of the test kit. The admin URL goes through tododb's own
 * config resolution together with the handle's options, so TLS, connect timeout and the
 * application name mean the same for the admin connection as for `t.db`, and a bad option is
 * refused before any database is created. A bad URL is a {@link ConfigError} on `adminUrl`
 * that names where the URL came from, never the URL.
 */
export function createAdminServer(admin: AdminUrl, options: Omit<DatabaseConfig, 'url'>, env: Env): AdminServer {
  let resolved: ReturnType<typeof resolveConfig>;
  try {
    resolved = resolveConfig({ ...options, url: admin.url }, env);
  } catch (error) {
    if (error instanceof ConfigError && error.field === 'url') {
      throw new ConfigError('adminUrl', error.message.replaceAll('`url`', `\`${admin.source}\``), { cause: error });
    }
    throw error;
  }
  const { connection } = resolved;
  const settings: pg.ClientConfig = {
    host: connection.host,
    port: connection.port,
    user: connection.user,
    password: connection.password,
    database: connection.database,
    ssl: resolved.ssl === false ? false : resolved.ssl,
    connectionTimeoutMillis: resolved.connectTimeoutMs,
    application_name: 'tododb/testing',
  };

  return {
    url: admin.url,
    address: `${connection.host}:${connection.port}`,
    async withClient(action, work) {
      const client = new pg.Client(settings);
      // An error event on an idle client (the server went away) would otherwise crash the process.
      client.on('error', () => {});
      try {
        await client.connect();
        return await work(client);
      } catch (error) {
        throw toKitError(error, action);
      } finally {
        await client.end().catch(() => {});
      }
    },
    databaseUrl(database) {
      const url = new URL(admin.url);
      url.pathname = `/${encodeURIComponent(database)}`;
      return url.toString();
    },
  };
}

/**
 * tododb's translation for what it knows (unreachable server, failed authentication, …); for
 * any other server error, the server's own message with what the kit was doing. Server
 * messages about databases name the database and the privilege (`permission denied to create
 * database`), never a password, and the kit's database names are its own.
 */
function toKitError(error: unknown, action: string): TododbError {
  if (error instanceof TododbError) return error;
  const translated = translateError(error);
  if (translated.code !== 'DATABASE_ERROR') return translated;
  const detail = error instanceof Error && typeof (error as { code?: unknown }).code === 'string' ? `: ${error.message}` : '';
  return new TododbError('TEST_DATABASE_FAILED', `Could not ${action}${detail}`, { cause: error });
}
