import type { Command } from '../Command.js';
import { countMigrations, printMigrationEvent } from '../printMigrations.js';
import { MIGRATIONS_OPTION, migratorFor } from '../migrationsOption.js';
import { withDatabase } from '../withDatabase.js';

export const migrateDown: Command = {
  path: ['migrate', 'down'],
  summary: 'Revert the newest applied migration',
  options: {
    to: { type: 'string', valueName: 'NAME|0', description: 'Revert down to and including NAME; 0 reverts all' },
    migrations: MIGRATIONS_OPTION,
  },
  run: (context) =>
    withDatabase(context, async (db) => {
      const { stdout } = context.io;
      const migrator = await migratorFor(context, db, { onMigration: printMigrationEvent(stdout) });
      const started = performance.now();
      const to = context.options.to as string | undefined;
      const reverted = await migrator.down(to === undefined ? {} : { to: to === '0' ? 0 : to });
      if (reverted.length === 0) {
        stdout.write(`Nothing to revert in ${db.target}.\n`);
      } else {
        const executed = await migrator.executed();
        stdout.write(
          `Reverted ${countMigrations(reverted.length)} in ${db.target} in ${Math.round(performance.now() - started)} ms; ` +
            `${executed.length === 0 ? 'none' : countMigrations(executed.length)} still applied.\n`,
        );
      }
      return 0;
    }),
};
