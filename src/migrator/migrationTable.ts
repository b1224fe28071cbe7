import { QueryTypes, type Transaction } from 'sequelize';
import type { Sequelize } from 'sequelize-typescript';
import { sqlState } from '../errors/sqlState.js';

/**
 * The table that records applied migrations. Its own name, not Umzug's default
 * `SequelizeMeta`, so it never mixes with an application's own Sequelize migrations.
 */
export const MIGRATION_TABLE = 'tododb_migrations';

const UNDEFINED_TABLE = '42P01';

/** The names of applied migrations, in order; empty when the table does not exist yet. */
export async function readExecuted(sequelize: Sequelize, transaction?: Transaction): Promise<string[]> {
  try {
    const rows = await sequelize.query<{ name: string }>(`SELECT name FROM ${MIGRATION_TABLE} ORDER BY name`, {
      type: QueryTypes.SELECT,
      transaction,
    });
    return rows.map((row) => row.name);
  } catch (error) {
    if (sqlState(error) === UNDEFINED_TABLE) return [];
    throw error;
  }
}

/** Creates the table if needed. Call it only while holding the migration lock. */
export async function ensureMigrationTable(sequelize: Sequelize, transaction: Transaction): Promise<void> {
  await sequelize.query(
    `CREATE TABLE IF NOT EXISTS ${MIGRATION_TABLE} (
       name text PRIMARY KEY,
       executed_at timestamptz NOT NULL DEFAULT now()
     )`,
    { transaction },
  );
}

export async function recordMigration(sequelize: Sequelize, transaction: Transaction, name: string): Promise<void> {
  await sequelize.query(`INSERT INTO ${MIGRATION_TABLE} (name) VALUES ($1)`, { bind: [name], transaction });
}

export async function forgetMigration(sequelize: Sequelize, transaction: Transaction, name: string): Promise<void> {
  await sequelize.query(`DELETE FROM ${MIGRATION_TABLE} WHERE name = $1`, { bind: [name], transaction });
}
