import { createHash } from 'node:crypto';
import { migrations as packageMigrations } from '../../migrations/index.js';
import { MigrationError } from '../errors/errors.js';
import type { MigrationContext, MigrationDefinition } from './MigrationContext.js';

/** Where a migration comes from: tododb itself, or the application using it. */
export type MigrationSource = 'tododb' | 'app';

/** A migration the migrator can run, whatever its source. */
export interface KnownMigration {
  name: string;
  source: MigrationSource;
  checksum: string;
  /** Tables `up` creates (tododb's own only): up refuses to start while one already exists. */
  creates: readonly string[];
  reversible: boolean;
  run(direction: 'up' | 'down', context: MigrationContext, schemaSql: string): Promise<void>;
}

const SAFE_NAME = /^[a-z0-9][a-z0-9._-]{0,199}$/;

/** tododb's own migrations, then the application's, each checked; throws a MigrationError naming the first bad one. */
export function knownMigrations(appMigrations: readonly MigrationDefinition[] | undefined): KnownMigration[] {
  const own: KnownMigration[] = packageMigrations.map((migration) => ({
    name: migration.name,
    source: 'tododb',
    checksum: sha256(`${migration.up('"<schema>"')}\0${migration.down('"<schema>"')}`),
    creates: migration.creates,
    reversible: true,
    run: async (direction, context, schemaSql) => {
      await context.query(direction === 'up' ? migration.up(schemaSql) : migration.down(schemaSql));
    },
  }));
  if (appMigrations === undefined) return own;
  if (!Array.isArray(appMigrations)) {
    throw new MigrationError('Expected `migrations` to be an array of migrations', { code: 'MIGRATION_INVALID' });
  }
  const names = new Set(own.map((migration) => migration.name));
  const app = appMigrations.map((definition, index): KnownMigration => {
    const name = (definition as { name?: unknown } | null)?.name;
    const label = typeof name === 'string' ? `"${name}"` : `number ${index + 1}`;
    const invalid = (message: string) =>
      new MigrationError(`Migration ${label} ${message}`, {
        code: 'MIGRATION_INVALID',
        migration: typeof name === 'string' ? name : undefined,
      });
    if (typeof definition !== 'object' || definition === null) throw invalid('is not an object');
    if (typeof name !== 'string' || !SAFE_NAME.test(name)) {
      throw invalid(
        'needs a name of lower-case letters, digits, ".", "_" and "-" that starts with a letter or digit, so that it sorts the same everywhere',
      );
    }
    if (typeof definition.up !== 'function') throw invalid('has no `up` function');
    if (definition.down !== undefined && typeof definition.down !== 'function') throw invalid('has a `down` that is not a function');
    if (definition.checksum !== undefined && (typeof definition.checksum !== 'string' || definition.checksum === '')) {
      throw invalid('has a `checksum` that is not a non-empty string');
    }
    if (names.has(name))
      throw invalid(own.some((migration) => migration.name === name) ? "has the name of one of tododb's own migrations" : 'is given twice');
    names.add(name);
    const { up, down } = definition;
    return {
      name,
      source: 'app',
      checksum: definition.checksum ?? sha256(`${String(up)}\0${String(down ?? '')}`),
      creates: [],
      reversible: down !== undefined,
      run: (direction, context) => (direction === 'up' ? up(context) : down!(context)),
    };
  });
  app.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return [...own, ...app];
}

/** The hex SHA-256 of a text: how migrations are checksummed. */
export function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}
