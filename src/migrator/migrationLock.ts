import type { Transaction } from 'sequelize';
import type { Sequelize } from 'sequelize-typescript';

/**
 * The advisory lock key every tododb migrator takes: the first 8 bytes of sha256('tododb:migrations'),
 * so it will not collide with keys an application picks by hand.
 */
export const MIGRATION_LOCK_ID = '8108535845215667715';

/**
 * Takes the migration lock inside `transaction` and waits at most `timeoutMs` for it.
 *
 * A transaction-level lock (`pg_advisory_xact_lock`) rather than a session lock: it is held on
 * the one connection that runs the migration and released by its COMMIT or ROLLBACK, even if
 * the process dies. Through PgBouncer in transaction mode a session lock breaks (the unlock
 * lands on another backend); a transaction's lock does not.
 *
 * Throws the database's lock_not_available error (SQLSTATE 55P03) when the wait runs out.
 */
export async function takeMigrationLock(sequelize: Sequelize, transaction: Transaction, timeoutMs: number): Promise<void> {
  // SET LOCAL (not SET): it ends with this transaction and never leaks to a pooled backend.
  // lock_timeout bounds the wait; statement_timeout is lifted for it, so that a role's or a
  // session's shorter statement_timeout does not cut the wait short.
  await sequelize.query(`SET LOCAL lock_timeout = ${Math.trunc(timeoutMs)}; SET LOCAL statement_timeout = 0`, { transaction });
  await sequelize.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_ID})`, { transaction });
}
