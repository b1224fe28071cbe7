import { connectionsOf, ormOf, type Database } from '../database/createDatabase.js';
import { MigrationError } from '../errors/errors.js';
import { knownMigrations, type KnownMigration } from './knownMigrations.js';
import type { MigrationDefinition } from './MigrationContext.js';
import { readApplied } from './migrationTable.js';
import { migrationStatus, planDown, planUp, type MigrationStatus } from './planMigrations.js';
import { runMigrationSteps, type StepLimits } from './runMigrationSteps.js';
import { toMigrationError } from './toMigrationError.js';

/** Reported for each migration as it is applied or reverted. */
export interface MigrationEvent {
  /** The migration's name. */
  name: string;
  /** `up` when it was applied, `down` when it was reverted. */
  direction: 'up' | 'down';
  /** `done` with its duration, or `skipped` when another process had already done it. */
  outcome: 'done' | 'skipped';
  /** How long the migration's transaction took, in ms. */
  durationMs: number;
}

/** What `createMigrator()` accepts besides the database. */
export interface MigratorOptions {
  /**
   * The application's own migrations. They run after tododb's own, under the same lock, each in
   * its own transaction with its record; each source is ordered by name on its own, so a later
   * tododb release adding a migration still applies cleanly after them.
   */
  migrations?: readonly MigrationDefinition[];
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
  /** Let `up` run although an applied migration has changed since. Default false. */
  allowChanged?: boolean;
  /** Called after each migration. The CLI prints these. */
  onMigration?: (event: MigrationEvent) => void;
}

/** Applies and reverts tododb's migrations and the application's. */
export interface Migrator {
  /** Applies every pending migration (or up to and including `to`); returns the names applied. */
  up(options?: { to?: string }): Promise<string[]>;
  /** Reverts the newest applied migration, or down to (and including) `to`; `{ to: 0 }` reverts all. Returns the names reverted. */
  down(options?: { to?: string | 0 }): Promise<string[]>;
  /** Names of the migrations not yet applied, in the order `up` applies them. */
  pending(): Promise<string[]>;
  /** Names of the applied migrations, oldest first. */
  executed(): Promise<string[]>;
  /** Applied (with when), pending, changed and unknown migrations. */
  status(): Promise<MigrationStatus>;
}

/**
 * Creates a migrator for tododb's migrations and, with `migrations`, the application's.
 *
 * Each migration runs in its own READ COMMITTED transaction together with the row that records
 * it, so a migration that fails leaves the schema as it was. Each transaction first takes a
 * PostgreSQL advisory lock and re-reads what is applied, so processes that migrate the same
 * database at once are serialised and every migration is applied exactly once; this holds
 * through PgBouncer in transaction mode too. It runs on the handle's own pool (one connection at
 * a time) and loads Sequelize only for a migration that uses it.
 *
 * @example
 * ```ts
 * import { createDatabase, createMigrator } from 'tododb';
 *
 * const db = createDatabase(); // DATABASE_URL
 * const migrator = createMigrator(db);
 * const applied = await migrator.up(); // the names applied, [] when there was nothing to do
 * const { pending, changed } = await migrator.status();
 * console.log(applied, pending, changed);
 * await db.close();
 * ```
 */
export function createMigrator(db: Database, options: MigratorOptions = {}): Migrator {
  const connections = connectionsOf(db);
  const { schema } = connections.config;
  const known = knownMigrations(options.migrations);
  const limits: StepLimits = {
    lockTimeoutMs: options.lockTimeoutMs ?? 60_000,
    statementTimeoutMs: options.statementTimeoutMs ?? 600_000,
    ddlLockTimeoutMs: options.ddlLockTimeoutMs ?? 10_000,
  };

  const applied = () => readApplied(connections, schema).catch((error: unknown) => Promise.reject(toMigrationError(error)));
  const run = async (direction: 'up' | 'down', steps: KnownMigration[], upgradeTable = false): Promise<string[]> => {
    if (steps.length === 0 && !upgradeTable) return [];
    try {
      return await runMigrationSteps({
        connections,
        schema,
        known,
        direction,
        steps,
        limits,
        orm: () => ormOf(db),
        onMigration: options.onMigration,
      });
    } catch (error) {
      throw toMigrationError(error);
    }
  };

  return {
    async up(upOptions) {
      const to = checkTo(upOptions?.to, known, false);
      const rows = await applied();
      // Rows of tododb 0.0.x have no checksum: record it now even when nothing is pending, so
      // that an edit of an applied migration made after this upgrade is caught.
      const unrecorded = rows.some((row) => row.checksum === null && known.some((migration) => migration.name === row.name));
      return run('up', planUp(known, rows, { to: to as string | undefined, allowChanged: options.allowChanged === true }), unrecorded);
    },
    async down(downOptions) {
      const to = checkTo(downOptions?.to, known, true);
      return run('down', planDown(known, await applied(), { to }));
    },
    pending: async () => migrationStatus(known, await applied()).pending.map((row) => row.name),
    executed: async () => (await applied()).map((row) => row.name),
    status: async () => migrationStatus(known, await applied()),
  };
}

function checkTo(to: unknown, known: readonly KnownMigration[], allowZero: boolean): string | 0 | undefined {
  if (to === undefined) return undefined;
  if (allowZero && (to === 0 || to === '0')) return 0;
  if (typeof to !== 'string' || !known.some((migration) => migration.name === to)) {
    throw new MigrationError(`Unknown migration "${String(to)}" (known: ${known.map((migration) => migration.name).join(', ')})`, {
      code: 'MIGRATION_UNKNOWN',
    });
  }
  return to;
}
