import type { Connections } from '../connection/Connections.js';
import type { TransactionScope } from '../connection/TransactionScope.js';
import { MigrationError } from '../errors/errors.js';
import { sqlState } from '../errors/sqlState.js';
import { dbAttributes } from '../observability/dbAttributes.js';
import { traceMigration, traceMigrationRun } from '../observability/traceMigrations.js';
import { TABLES, qualified, quoted } from '../schema/names.js';
import type { Orm } from '../sequelize/createOrm.js';
import type { MigrationEvent } from './createMigrator.js';
import type { KnownMigration } from './knownMigrations.js';
import type { MigrationContext } from './MigrationContext.js';
import { forgetMigration, isApplied, prepareMigrationTable, recordMigration } from './migrationTable.js';

/**
 * The advisory lock key every tododb migrator takes: the first 8 bytes of
 * sha256('tododb:migrations'), so it will not collide with keys an application picks by hand.
 */
export const MIGRATION_LOCK_ID = '8108535845215667715';

const LOCK_NOT_AVAILABLE = '55P03';
const DUPLICATE_TABLE = '42P07';

export interface StepLimits {
  lockTimeoutMs: number;
  statementTimeoutMs: number;
  ddlLockTimeoutMs: number;
}

export interface StepRun {
  connections: Connections;
  schema: string;
  known: readonly KnownMigration[];
  direction: 'up' | 'down';
  steps: readonly KnownMigration[];
  limits: StepLimits;
  orm: () => Orm;
  onMigration: ((event: MigrationEvent) => void) | undefined;
}

/**
 * Applies or reverts `steps` in order, through Umzug, each in a transaction of its own. Returns
 * the names of those this process did (the others another process did first).
 */
export function runMigrationSteps(run: StepRun): Promise<string[]> {
  // A span for the run and one per migration, when tracing is on (src/observability).
  return traceMigrationRun(dbAttributes(run.connections.config), run.direction, run.steps.length, () => applySteps(run));
}

async function applySteps(run: StepRun): Promise<string[]> {
  if (run.steps.length === 0) {
    // Nothing to apply; a migration table of an older tododb still gets its columns and checksums.
    if (run.direction === 'up') await inLockedTransaction(run, (scope) => prepareMigrationTable(scope, run.schema, run.known));
    return [];
  }
  const { Umzug } = await import('umzug');
  if (run.direction === 'up') await inLockedTransaction(run, (scope) => refuseTakeover(scope, run));
  const done: string[] = [];
  let prepared = false;
  const step = async (migration: KnownMigration) => {
    const started = performance.now();
    const did = await traceMigration(dbAttributes(run.connections.config), migration.name, run.direction, () =>
      inLockedTransaction(run, async (scope) => {
        if (!prepared) {
          await prepareMigrationTable(scope, run.schema, run.known);
          prepared = true;
        }
        // The lock is ours: what is applied now is final until we commit.
        if ((await isApplied(scope, run.schema, migration.name)) === (run.direction === 'up')) return false;
        try {
          await migration.run(run.direction, migrationContext(scope, run), quoted(run.schema));
        } catch (error) {
          // A table made in the meantime by something else than tododb: say so, by name.
          const table = sqlState(error) === DUPLICATE_TABLE ? /"([^"]+)"/.exec((error as Error).message)?.[1] : undefined;
          if (table !== undefined && migration.creates.includes(table)) throw tableExists(run.schema, table, migration.name);
          throw error;
        }
        if (run.direction === 'up') await recordMigration(scope, run.schema, migration);
        else await forgetMigration(scope, run.schema, migration.name);
        return true;
      }),
    );
    if (did) done.push(migration.name);
    run.onMigration?.({
      name: migration.name,
      direction: run.direction,
      outcome: did ? 'done' : 'skipped',
      durationMs: Math.round(performance.now() - started),
    });
  };

  // The order is planned already (planUp / planDown); Umzug runs the steps and reports a failure
  // with the migration's name. Bookkeeping happens inside each step's transaction.
  const ordered = run.direction === 'up' ? run.steps : [...run.steps].reverse();
  const umzug = new Umzug({
    migrations: ordered.map((migration) => ({ name: migration.name, up: () => step(migration), down: () => step(migration) })),
    storage: {
      executed: async () => (run.direction === 'up' ? [] : ordered.map((migration) => migration.name)),
      logMigration: async () => {},
      unlogMigration: async () => {},
    },
    logger: undefined,
  });
  if (run.direction === 'up') await umzug.up();
  else await umzug.down({ to: 0 });
  return done;
}

/**
 * tododb never takes over a table it did not create: before anything is applied, refuse when a
 * table that one of the pending migrations would create already exists. Under the lock, so that
 * a table another process's migration has just created (and recorded) does not count.
 */
async function refuseTakeover(scope: TransactionScope, run: StepRun): Promise<void> {
  const table = qualified(run.schema, TABLES.migrations);
  // No statement may fail in this transaction (it would abort it): ask whether the table exists first.
  const { rows: found } = await scope.execute(`SELECT to_regclass($1) IS NOT NULL AS found`, [table]);
  const recorded = found[0]!.found
    ? (await scope.execute(`SELECT name FROM ${table} WHERE name = ANY($1)`, [run.steps.map((step) => step.name)])).rows
    : [];
  const applied = new Set(recorded.map((row) => row.name as string));
  const creating = run.steps.filter((step) => !applied.has(step.name)).flatMap((step) => step.creates.map((table) => ({ step, table })));
  if (creating.length === 0) return;
  const { rows } = await scope.execute(
    `SELECT t AS name FROM unnest($1::text[]) AS t WHERE to_regclass($2 || '.' || quote_ident(t)) IS NOT NULL`,
    [creating.map((entry) => entry.table), quoted(run.schema)],
  );
  const taken = rows[0]?.name as string | undefined;
  if (taken !== undefined) throw tableExists(run.schema, taken, creating.find((entry) => entry.table === taken)?.step.name);
}

/** The error for a table that a migration of tododb's would create and that already exists. */
export function tableExists(schema: string, table: string, migration: string | undefined): MigrationError {
  return new MigrationError(
    `Table ${schema}.${table} already exists and was not created by tododb's migrations; tododb never takes over a table it did not create. Nothing was changed. Use another schema (the \`schema\` option, DATABASE_SCHEMA or --schema) or move that table.`,
    { code: 'MIGRATION_TABLE_EXISTS', migration },
  );
}

/**
 * One READ COMMITTED transaction that first takes the migration lock. A transaction-level lock
 * (`pg_advisory_xact_lock`), not a session lock: it is released by the COMMIT or ROLLBACK, even
 * if the process dies, and through PgBouncer in transaction mode a session lock breaks (the
 * unlock lands on another backend) while a transaction's does not.
 */
async function inLockedTransaction<T>(run: StepRun, work: (scope: TransactionScope) => Promise<T>): Promise<T> {
  const { lockTimeoutMs, statementTimeoutMs, ddlLockTimeoutMs } = run.limits;
  return run.connections.transaction(async (scope) => {
    // The client-side bound must outlast the longest legitimate wait (the lock's, or a long index
    // build), so it fires only for a host that went silent.
    const restore = run.connections.overrideQueryTimeout(
      scope.client,
      statementTimeoutMs === 0 ? undefined : Math.max(lockTimeoutMs, statementTimeoutMs) + 30_000,
    );
    try {
      // SET LOCAL, never SET: it ends with this transaction and never leaks to a pooled backend.
      // lock_timeout bounds the wait; statement_timeout is lifted for it, so that a role's or the
      // pool's shorter statement_timeout does not cut the wait short.
      await scope.execute(`SET LOCAL lock_timeout = ${Math.trunc(lockTimeoutMs)}; SET LOCAL statement_timeout = 0`);
      try {
        await scope.execute(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_ID})`);
      } catch (error) {
        if (sqlState(error) !== LOCK_NOT_AVAILABLE) throw error;
        throw new MigrationError(`Timed out after ${lockTimeoutMs} ms waiting for another process's migration to finish`, {
          cause: error,
          code: 'MIGRATION_LOCK_TIMEOUT',
        });
      }
      await scope.execute(
        `SET LOCAL lock_timeout = ${Math.trunc(ddlLockTimeoutMs)}; SET LOCAL statement_timeout = ${Math.trunc(statementTimeoutMs)}`,
      );
      return await work(scope);
    } finally {
      restore();
    }
  }, 'read committed');
}

function migrationContext(scope: TransactionScope, run: StepRun): MigrationContext {
  return {
    schema: run.schema,
    query: async (sql, values) => {
      const { rows, rowCount } = await scope.execute(sql, values ?? []);
      return { rows, rowCount };
    },
    get sequelize() {
      return run.orm().sequelize;
    },
    get queryInterface() {
      return run.orm().sequelize.getQueryInterface();
    },
    get transaction() {
      return run.orm().transactionFor(scope);
    },
  };
}
