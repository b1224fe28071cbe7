import { resolve } from 'node:path';
import { createMigrationFile } from 'tododb';
import type { Command } from '../Command.js';
import { UsageError } from '../UsageError.js';
import { MIGRATIONS_OPTION } from '../migrationsOption.js';

export const migrateCreate: Command = {
  path: ['migrate', 'create'],
  argument: { name: 'NAME', description: 'What the migration does, e.g. add-tags' },
  summary: 'Write a new, empty migration file into the --migrations folder',
  options: { migrations: MIGRATIONS_OPTION },
  run: async (context) => {
    const folder = context.options.migrations as string | undefined;
    if (folder === undefined) {
      throw new UsageError(
        'migrate create needs --migrations DIR, the folder of your migrations',
        'Usage: tododb migrate create NAME --migrations DIR',
      );
    }
    const path = await createMigrationFile(resolve(context.io.cwd, folder), context.argument!);
    context.io.stdout.write(`Created ${path}\n`);
    return 0;
  },
};
