import type { Command } from '../Command.js';
import { countMigrations, printMigrationEvent } from '../printMigrations.js';
import { MIGRATIONS_OPTION, migratorFor } from '../migrationsOption.js';
import { withDatabase } from '../withDatabase.js';

export const migrateUp: Command = {
  path: ['migrate', 'up'],
  summary: 'Apply the pending migrations',
  options: {
    to: { type: 'string', valueName: 'NAME', description: 'Stop after this migration (it is applied too)' },
    migrations: MIGRATIONS_OPTION,
    'allow-changed': { type: 'boolean', description: 'Apply although an applied migration has changed since (see migrate status)' },
  },
  run: (context) =>
    withDatabase(context, async (db) => {
      const { stdout } = context.io;
      const migrator = await migratorFor(context, db, {
        onMigration: printMigrationEvent(stdout),
        allowChanged: context.options['allow-changed'] === true,
      });
      const started = performance.now();
      const to = context.options.to as string | undefined;
      const applied = await migrator.up(to === undefined ? {} : { to });
      const pending = await migrator.pending();
      const rest = pending.length === 0 ? 'none pending' : `${countMigrations(pending.length)} still pending`;
      if (applied.length === 0) {
        stdout.write(`Nothing to apply to ${db.target}; ${rest}.\n`);
      } else {
        stdout.write(
          `Applied ${countMigrations(applied.length)} to ${db.target} in ${Math.round(performance.now() - started)} ms; ${rest}.\n`,
        );
      }
      return 0;
    }),
};
