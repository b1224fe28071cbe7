import { MigrationError } from '../errors/errors.js';
import type { KnownMigration, MigrationSource } from './knownMigrations.js';
import type { AppliedMigration } from './migrationTable.js';

/** Where a database stands against the known migrations. */
export interface MigrationStatus {
  /** Applied migrations, oldest first, with when each was applied. */
  executed: {
    /** The migration's name. */
    name: string;
    /** Whose it is: tododb's own or the application's. */
    source: MigrationSource;
    /** When it was applied. */
    appliedAt: Date;
    /** Its checksum differs from the known migration's: it was edited after it was applied. */
    changed: boolean;
  }[];
  /** Known migrations not applied yet, in the order `up` applies them. */
  pending: {
    /** The migration's name. */
    name: string;
    /** Whose it is: tododb's own or the application's. */
    source: MigrationSource;
  }[];
  /** Applied migrations whose source has changed since (their checksum differs): `up` refuses to run. */
  changed: string[];
  /** Applied migrations that are not among the known ones (an application's, run without them). */
  unknown: string[];
}

/** Compares the known migrations with the applied ones. */
export function migrationStatus(known: readonly KnownMigration[], applied: readonly AppliedMigration[]): MigrationStatus {
  const byName = new Map(known.map((migration) => [migration.name, migration]));
  const appliedNames = new Set(applied.map((row) => row.name));
  const executed = applied.map((row) => {
    const migration = byName.get(row.name);
    const changed = migration !== undefined && row.checksum !== null && row.checksum !== migration.checksum;
    return { name: row.name, source: migration?.source ?? row.source, appliedAt: row.appliedAt, changed };
  });
  return {
    executed,
    pending: known.filter((migration) => !appliedNames.has(migration.name)).map(({ name, source }) => ({ name, source })),
    changed: executed.filter((row) => row.changed).map((row) => row.name),
    unknown: applied.filter((row) => !byName.has(row.name)).map((row) => row.name),
  };
}

/**
 * The migrations `up` applies, in order: tododb's own first, then the application's, each source
 * in the order of its names. Refuses — before anything is applied — a changed migration (unless
 * allowed) and a migration that sorts before one already applied from its source.
 */
export function planUp(
  known: readonly KnownMigration[],
  applied: readonly AppliedMigration[],
  options: { to?: string; allowChanged?: boolean },
): KnownMigration[] {
  const status = migrationStatus(known, applied);
  if (status.changed.length > 0 && !options.allowChanged) {
    throw new MigrationError(
      `Applied migration${status.changed.length > 1 ? 's' : ''} ${status.changed.join(', ')} changed since ${status.changed.length > 1 ? 'they were' : 'it was'} applied: restore the applied version, or write a new migration for the change (allowChanged / --allow-changed overrides this check)`,
      { code: 'MIGRATION_CHANGED', migration: status.changed[0] },
    );
  }
  const sourceOf = new Map(status.executed.map((row) => [row.name, row.source]));
  const pendingNames = new Set(status.pending.map((row) => row.name));
  const pending = known.filter((migration) => pendingNames.has(migration.name));
  for (const migration of pending) {
    const later = applied.filter((row) => sourceOf.get(row.name) === migration.source && row.name > migration.name).map((row) => row.name);
    if (later.length > 0) {
      throw new MigrationError(
        `Migration ${migration.name} sorts before ${later.sort().at(-1)}, which is already applied: rename it so that it sorts after the applied ones`,
        { code: 'MIGRATION_OUT_OF_ORDER', migration: migration.name },
      );
    }
  }
  if (options.to === undefined) return pending;
  const index = pending.findIndex((migration) => migration.name === options.to);
  return index === -1 ? [] : pending.slice(0, index + 1);
}

/**
 * The migrations `down` reverts, newest applied first: the newest one alone, or down to (and
 * including) `to`, or all with `to: 0`. Refuses an applied migration that is not known or has no
 * `down`, before anything is reverted.
 */
export function planDown(
  known: readonly KnownMigration[],
  applied: readonly AppliedMigration[],
  options: { to?: string | 0 },
): KnownMigration[] {
  const newestFirst = [...applied].reverse();
  let rows: AppliedMigration[];
  if (options.to === undefined) rows = newestFirst.slice(0, 1);
  else if (options.to === 0) rows = newestFirst;
  else {
    const index = newestFirst.findIndex((row) => row.name === options.to);
    rows = index === -1 ? [] : newestFirst.slice(0, index + 1);
  }
  const byName = new Map(known.map((migration) => [migration.name, migration]));
  return rows.map((row) => {
    const migration = byName.get(row.name);
    if (!migration) {
      throw new MigrationError(
        `Migration ${row.name} is applied but unknown here: pass the application's migrations (createMigrator's \`migrations\`, the CLI's --migrations DIR)`,
        {
          code: 'MIGRATION_UNKNOWN',
          migration: row.name,
        },
      );
    }
    if (!migration.reversible) {
      throw new MigrationError(`Migration ${row.name} has no \`down\` and cannot be reverted`, {
        code: 'MIGRATION_IRREVERSIBLE',
        migration: row.name,
      });
    }
    return migration;
  });
}
