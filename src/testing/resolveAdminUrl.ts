import { ConfigError, type Env } from 'tododb';

/** Where the admin URL came from: the option, or one of the two variables. */
export type AdminUrlSource = 'adminUrl' | 'TEST_DATABASE_URL' | 'DATABASE_URL';

/** The admin URL to create test databases with, and where it was found. */
export interface AdminUrl {
  url: string;
  source: AdminUrlSource;
}

/**
 * Picks the URL that test databases are created through: the `adminUrl` option, else
 * `TEST_DATABASE_URL`, else `DATABASE_URL`. An empty variable counts as unset, as in
 * `createDatabase()`. Throws a {@link ConfigError} (field `adminUrl`) naming the three places
 * it looked; the URL itself is never part of a message.
 */
export function resolveAdminUrl(adminUrl: unknown, env: Env): AdminUrl {
  if (adminUrl !== undefined) {
    if (typeof adminUrl !== 'string' || adminUrl.trim() === '') {
      throw new ConfigError('adminUrl', 'Expected `adminUrl` to be a non-empty postgres:// URL string');
    }
    return { url: adminUrl, source: 'adminUrl' };
  }
  for (const source of ['TEST_DATABASE_URL', 'DATABASE_URL'] as const) {
    const value = env[source];
    if (value !== undefined && value.trim() !== '') return { url: value, source };
  }
  throw new ConfigError(
    'adminUrl',
    'No admin URL to create test databases with: pass `adminUrl`, or set TEST_DATABASE_URL or DATABASE_URL (a role that may create databases)',
  );
}
