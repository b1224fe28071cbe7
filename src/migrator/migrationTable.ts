import type { Connections } from '../connection/Connections.js';
import type { TransactionScope } from '../connection/TransactionScope.js';
import { sqlState } from '../errors/sqlState.js';
import { TABLES, qualified, quoted } from '../schema/names.js';
import type { KnownMigration, MigrationSource } from './knownMigrations.js';

/** One row of the migration table. */
export interface AppliedMigration {
  name: string;
  source: MigrationSource;
  /** Null for rows recorded by tododb versions before checksums; filled in by the next `up`. */
  checksum: string | null;
  appliedAt: Date;
}

const UNDEFINED_TABLE = '42P01';

/** The applied migrations, oldest first; none when the table does not exist yet. */
export async function readApplied(connections: Connections, schema: string): Promise<AppliedMigration[]> {
  // SELECT *: tables made by tododb 0.0.x have no source and checksum columns until the next `up`.
  let rows: Record<string, unknown>[];
  try {
    ({ rows } = await connections.execute(`SELECT * FROM ${qualified(schema, TABLES.migrations)} ORDER BY executed_at, name`));
  } catch (error) {
    if (sqlState(error) === UNDEFINED_TABLE || sqlState((error as { cause?: unknown }).cause) === UNDEFINED_TABLE) return [];
    throw error;
  }
  return rows.map((row) => ({
    name: row.name as string,
    source: row.source === 'app' ? 'app' : 'tododb',
    checksum: typeof row.checksum === 'string' ? row.checksum : null,
    appliedAt: row.executed_at as Date,
  }));
}

/**
 * Creates the schema and the table when missing and brings a table of an older tododb up to date;
 * records the checksum of applied migrations that have none. Call it holding the migration lock.
 */
export async function prepareMigrationTable(scope: TransactionScope, schema: string, known: readonly KnownMigration[]): Promise<void> {
  const table = qualified(schema, TABLES.migrations);
  await scope.execute(`CREATE SCHEMA IF NOT EXISTS ${quoted(schema)}`);
  await scope.execute(
    `CREATE TABLE IF NOT EXISTS ${table} (
       name text PRIMARY KEY,
       executed_at timestamptz NOT NULL DEFAULT now(),
       source text NOT NULL DEFAULT 'tododb',
       checksum text
     )`,
  );
  const { rows } = await scope.execute(
    `SELECT count(*)::int AS n FROM pg_attribute WHERE attrelid = $1::regclass AND attname IN ('source', 'checksum') AND NOT attisdropped`,
    [table],
  );
  if ((rows[0] as { n: number }).n < 2) {
    await scope.execute(
      `ALTER TABLE ${table}
         ADD COLUMN IF NOT EXISTS source text NOT NULL DEFAULT 'tododb',
         ADD COLUMN IF NOT EXISTS checksum text`,
    );
  }
  for (const migration of known) {
    await scope.execute(`UPDATE ${table} SET checksum = $2, source = $3 WHERE name = $1 AND checksum IS NULL`, [
      migration.name,
      migration.checksum,
      migration.source,
    ]);
  }
}

/** Whether `name` is applied, read inside the migration's transaction (after the lock). */
export async function isApplied(scope: TransactionScope, schema: string, name: string): Promise<boolean> {
  const { rowCount } = await scope.execute(`SELECT 1 FROM ${qualified(schema, TABLES.migrations)} WHERE name = $1`, [name]);
  return rowCount === 1;
}

export async function recordMigration(scope: TransactionScope, schema: string, migration: KnownMigration): Promise<void> {
  await scope.execute(`INSERT INTO ${qualified(schema, TABLES.migrations)} (name, source, checksum) VALUES ($1, $2, $3)`, [
    migration.name,
    migration.source,
    migration.checksum,
  ]);
}

export async function forgetMigration(scope: TransactionScope, schema: string, name: string): Promise<void> {
  await scope.execute(`DELETE FROM ${qualified(schema, TABLES.migrations)} WHERE name = $1`, [name]);
}
