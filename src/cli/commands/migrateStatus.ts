import { createMigrator } from 'tododb';
import type { Command } from '../Command.js';
import { withDatabase } from '../withDatabase.js';

export const migrateStatus: Command = {
  path: ['migrate', 'status'],
  summary: 'List the executed and the pending migrations',
  options: {
    json: { type: 'boolean', description: 'Print {"executed":[…],"pending":[…]} and nothing else' },
  },
  run: (context) =>
    withDatabase(context, async (db) => {
      const migrator = createMigrator(db);
      const executed = await migrator.executed();
      const pending = await migrator.pending();
      const { stdout } = context.io;
      if (context.options.json === true) {
        stdout.write(`${JSON.stringify({ executed, pending })}\n`);
        return 0;
      }
      stdout.write(`Database: ${db.target}\n`);
      stdout.write(`Executed (${executed.length}):\n${list(executed)}`);
      stdout.write(`Pending (${pending.length}):\n${list(pending)}`);
      return 0;
    }),
};

function list(names: string[]): string {
  return names.length === 0 ? '  (none)\n' : names.map((name) => `  ${name}\n`).join('');
}
