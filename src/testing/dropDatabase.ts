import type pg from 'pg';
import { quoted } from '../schema/names.js';
import type { AdminServer } from './AdminServer.js';

/**
 * Drops a database of the kit's, whoever is still connected to it (`WITH (FORCE)`, which
 * ends their sessions), and a template too. Nothing happens when it does not exist.
 */
export function dropDatabase(admin: AdminServer, name: string): Promise<void> {
  return admin.withClient('drop the test database', (client) => dropDatabaseOn(client, name));
}

/** {@link dropDatabase} on an admin connection already open. */
export async function dropDatabaseOn(client: pg.Client, name: string): Promise<void> {
  // PostgreSQL refuses to drop a template; a half-built one is marked as such before its rename.
  const { rows } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate', [name]);
  if (rows.length > 0) await client.query(`ALTER DATABASE ${quoted(name)} WITH IS_TEMPLATE false`);
  await client.query(`DROP DATABASE IF EXISTS ${quoted(name)} WITH (FORCE)`);
}
