import { createMigrator, loadMigrations, type Database, type Migrator, type MigratorOptions } from 'tododb';
import type { CommandContext, OptionSpec } from './Command.js';

/** `--migrations DIR`: the application's migrations, taken by every migrate command. */
export const MIGRATIONS_OPTION: OptionSpec = {
  type: 'string',
  valueName: 'DIR',
  description: "Your own migrations (.js, .mjs or .cjs files exporting up and down), run after tododb's",
};

/** A migrator for `db` with the application's migrations of `--migrations`, when given. */
export async function migratorFor(
  context: CommandContext,
  db: Database,
  options: Omit<MigratorOptions, 'migrations'> = {},
): Promise<Migrator> {
  const folder = context.options.migrations as string | undefined;
  const migrations = folder === undefined ? undefined : await loadMigrations(folder);
  return createMigrator(db, migrations === undefined ? options : { ...options, migrations });
}
