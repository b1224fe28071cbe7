import { createDatabase, createMigrator, type DatabaseConfig, type Env, type MigrationDefinition } from 'tododb';
import { quoted } from '../schema/names.js';
import type { AdminServer } from './AdminServer.js';
import { serverErrorCode } from './serverErrorCode.js';
import { DATABASE_PREFIX } from './templateName.js';

/** An empty database, never migrated, that the kit asks which migrations an empty database needs. */
export const PROBE_DATABASE = `${DATABASE_PREFIX}probe`;

const DUPLICATE_DATABASE = '42P04';
// What the losing CREATE DATABASE of two at once reports (the catalog's unique index).
const UNIQUE_VIOLATION = '23505';

/**
 * The names of every migration that `createMigrator(db, { migrations })` would apply to an
 * empty database: tododb's own and the application's, in order. The public API answers
 * this as `pending()` on a database with nothing applied, so the kit keeps one such database
 * on the server (created once, shared by every process, never written to) rather than reach
 * into tododb's internals.
 */
export async function probeMigrationNames(
  admin: AdminServer,
  databaseOptions: Omit<DatabaseConfig, 'url'>,
  migrations: readonly MigrationDefinition[] | undefined,
  env: Env,
): Promise<string[]> {
  await admin.withClient('create the test kit probe database', async (client) => {
    const { rows } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [PROBE_DATABASE]);
    if (rows.length > 0) return;
    // Two processes may both find it missing; one CREATE wins and the other's is harmless.
    await client.query(`CREATE DATABASE ${quoted(PROBE_DATABASE)} TEMPLATE template0`).catch((error: unknown) => {
      const code = serverErrorCode(error);
      if (code !== DUPLICATE_DATABASE && code !== UNIQUE_VIOLATION) throw error;
    });
  });
  const db = createDatabase({ ...databaseOptions, url: admin.databaseUrl(PROBE_DATABASE) }, env);
  try {
    return await createMigrator(db, migrations === undefined ? {} : { migrations }).pending();
  } finally {
    await db.close();
  }
}
