import { Transaction } from 'sequelize';
import { migrations as packageMigrations } from '../../migrations/index.js';
import type { ResolvedConfig } from '../config/resolveConfig.js';
import { configOf, openDatabase, type Database } from '../database/createDatabase.js';
import { MigrationError } from '../errors/errors.js';
import { sqlState } from '../errors/sqlState.js';
import type { MigrationDefinition } from './MigrationContext.js';
import { takeMigrationLock } from './migrationLock.js';
import { ensureMigrationTable, forgetMigration, readExecuted, recordMigration } from './migrationTable.js';
import { toMigrationError } from './toMigrationError.js';

/** Reported for each migration as it is applied or reverted. */
export interface MigrationEvent {
  name: string;
  direction: 'up' | 'down';
  /** `done` with its duration, or `skipped` when another process had already done it. */
  outcome: 'done' | 'skipped';
  durationMs: number;
}

export interface MigratorOptions {
  /** How long to wait for another process's migration to finish, in ms. Default 60 000. */
  lockTimeoutMs?: number;
  /**
   * `statement_timeout` for each migration's statements, in ms; 0 for none. Default 600 000:
   * building an index on a large table may take minutes, longer than the application's queries.
   */
  statementTimeoutMs?: number;
  /**
   * `lock_timeout` for each migration's own DDL, in ms. Default 10 000: a migration that would
   * queue behind a long application transaction fails instead of stalling every query on the
   * table while it waits.
   */
  ddlLockTimeoutMs?: number;
  /** Called after each migration. The CLI prints these. */
  onMigration?: (event: MigrationEvent) => void;
  /** @internal Replaces the package's migrations; for tests of the migrator itself. */
  migrations?: readonly MigrationDefinition[];
}

/** Applies and reverts tododb's own migrations. */
export interface Migrator {
  /** Applies every pending migration (or up to and including `to`); returns the names applied. */
  up(options?: { to?: string }): Promise<string[]>;
  /** Reverts the last migration, or down to (and including) `to`; `{ to: 0 }` reverts all. */
  down(options?: { to?: string | 0 }): Promise<string[]>;
  /** Names of the migrations not yet applied, in order. */
  pending(): Promise<string[]>;
  /** Names of the applied migrations, in order. */
  executed(): Promise<string[]>;
}

const LOCK_NOT_AVAILABLE = '55P03';

/**
 * Creates a migrator for the package's migrations (Umzug underneath).
 *
 * Each migration runs in its own READ COMMITTED transaction together with the row that
 * records it, so a migration that fails leaves the schema as it was. Each transaction first
 * takes a PostgreSQL advisory lock and re-reads what is applied, so processes that migrate
 * the same database at once are serialised and every migration is applied exactly once; this
 * holds through PgBouncer in transaction mode too.
 *
 * @example
 * ```ts
 * const db = createDatabase();
 * const applied = await createMigrator(db).up();
 * ```
 */
export function createMigrator(db: Database, options: MigratorOptions = {}): Migrator {
  const definitions = options.migrations ?? packageMigrations;
  const lockTimeoutMs = options.lockTimeoutMs ?? 60_000;
  const statementTimeoutMs = options.statementTimeoutMs ?? 600_000;
  const ddlLockTimeoutMs = options.ddlLockTimeoutMs ?? 10_000;

  // One step: lock, re-check, run, record, commit; skipped when another process did it first.
  const runStep = async (
    sequelize: Database['sequelize'],
    definition: MigrationDefinition,
    direction: 'up' | 'down',
    applied: string[],
  ): Promise<void> => {
    const started = performance.now();
    const done = await sequelize.transaction({ isolationLevel: Transaction.ISOLATION_LEVELS.READ_COMMITTED }, async (transaction) => {
      try {
        await takeMigrationLock(sequelize, transaction, lockTimeoutMs);
      } catch (error) {
        if (sqlState(error) === LOCK_NOT_AVAILABLE) {
          throw new MigrationError(`Timed out after ${lockTimeoutMs} ms waiting for another process's migration to finish`, {
            cause: error,
            code: 'MIGRATION_LOCK_TIMEOUT',
          });
        }
        throw error;
      }
      // The lock is ours: what is applied now is final until we commit.
      await sequelize.query(
        `SET LOCAL lock_timeout = ${Math.trunc(ddlLockTimeoutMs)}; SET LOCAL statement_timeout = ${Math.trunc(statementTimeoutMs)}`,
        { transaction },
      );
      await ensureMigrationTable(sequelize, transaction);
      const executed = await readExecuted(sequelize, transaction);
      if (executed.includes(definition.name) === (direction === 'up')) return false;

      const context = { queryInterface: sequelize.getQueryInterface(), sequelize, transaction };
      if (direction === 'up') {
        await definition.up(context);
        await recordMigration(sequelize, transaction, definition.name);
      } else {
        await definition.down(context);
        await forgetMigration(sequelize, transaction, definition.name);
      }
      return true;
    });
    if (done) applied.push(definition.name);
    options.onMigration?.({
      name: definition.name,
      direction,
      outcome: done ? 'done' : 'skipped',
      durationMs: Math.round(performance.now() - started),
    });
  };

  // Umzug orders the steps and resolves `to`; the bookkeeping happens inside each step's
  // transaction above, so Umzug's own storage only reads.
  const run = async (direction: 'up' | 'down', to: string | 0 | undefined): Promise<string[]> => {
    const { Umzug } = await import('umzug');
    // A connection of the migrator's own, with its own bounds: the application's pool is sized
    // and timed for request paths, and a migration may wait a minute for the lock and then
    // build an index for ten.
    const migrationDb = openDatabase(migrationConfig(configOf(db), lockTimeoutMs, statementTimeoutMs));
    const { sequelize } = migrationDb;
    const applied: string[] = [];
    const umzug = new Umzug({
      migrations: definitions.map((definition) => ({
        name: definition.name,
        up: () => runStep(sequelize, definition, 'up', applied),
        down: () => runStep(sequelize, definition, 'down', applied),
      })),
      storage: {
        executed: () => readExecuted(sequelize),
        logMigration: async () => {},
        unlogMigration: async () => {},
      },
      logger: undefined,
    });
    try {
      if (direction === 'up') {
        await umzug.up(to === undefined ? {} : { to: to as string });
      } else {
        await umzug.down(to === undefined ? {} : { to });
      }
    } catch (error) {
      throw toMigrationError(error);
    } finally {
      await migrationDb.close();
    }
    return applied;
  };

  return {
    up: async (upOptions) => run('up', checkTo(upOptions?.to, definitions, false)),
    down: async (downOptions) => run('down', checkTo(downOptions?.to, definitions, true)),
    async pending() {
      const executed = new Set(await readExecutedOrThrow(db));
      return definitions.map((definition) => definition.name).filter((name) => !executed.has(name));
    },
    executed: () => readExecutedOrThrow(db),
  };
}

/**
 * The migrator's connection settings: one connection; no session statement_timeout (each
 * transaction sets its own with SET LOCAL); and a client-side bound that outlasts the longest
 * legitimate wait, the lock's or a statement's, so it only fires for a host that went silent.
 */
function migrationConfig(config: ResolvedConfig, lockTimeoutMs: number, statementTimeoutMs: number): ResolvedConfig {
  return {
    ...config,
    pool: { ...config.pool, max: 1, min: 0 },
    statementTimeoutMs: 0,
    queryTimeoutMs: statementTimeoutMs === 0 ? 0 : Math.max(lockTimeoutMs, statementTimeoutMs) + 30_000,
  };
}

function checkTo(to: unknown, definitions: readonly MigrationDefinition[], allowZero: boolean): string | 0 | undefined {
  if (to === undefined) return undefined;
  if (allowZero && (to === 0 || to === '0')) return 0;
  if (typeof to !== 'string' || !definitions.some((definition) => definition.name === to)) {
    throw new MigrationError(`Unknown migration "${String(to)}" (known: ${definitions.map((d) => d.name).join(', ')})`, {
      code: 'MIGRATION_UNKNOWN',
    });
  }
  return to;
}

async function readExecutedOrThrow(db: Database): Promise<string[]> {
  try {
    return await readExecuted(db.sequelize);
  } catch (error) {
    throw toMigrationError(error);
  }
}
