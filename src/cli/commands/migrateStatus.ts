import type { MigrationStatus } from 'tododb';
import type { Command } from '../Command.js';
import { MIGRATIONS_OPTION, migratorFor } from '../migrationsOption.js';
import { withDatabase } from '../withDatabase.js';

export const migrateStatus: Command = {
  path: ['migrate', 'status'],
  summary: 'List the applied (with when), pending, changed and unknown migrations',
  options: {
    json: { type: 'boolean', description: 'Print {"executed":[…],"pending":[…],"changed":[…]} (names) and nothing else' },
    check: { type: 'boolean', description: 'Exit 1 when a migration is pending or changed (for CI and deploy gates)' },
    migrations: MIGRATIONS_OPTION,
  },
  run: (context) =>
    withDatabase(context, async (db) => {
      const status = await (await migratorFor(context, db)).status();
      const { stdout } = context.io;
      const failing = context.options.check === true && (status.pending.length > 0 || status.changed.length > 0);
      if (context.options.json === true) {
        stdout.write(`${JSON.stringify(asJson(status))}\n`);
        return failing ? 1 : 0;
      }
      stdout.write(`Database: ${db.target} (schema ${db.schema})\n`);
      stdout.write(`Applied (${status.executed.length}):\n`);
      stdout.write(
        status.executed.length === 0
          ? '  (none)\n'
          : status.executed
              .map(
                (row) =>
                  `  ${row.name.padEnd(40)} ${row.appliedAt.toISOString()}  ${row.source}${row.changed ? '  CHANGED since applied' : ''}\n`,
              )
              .join(''),
      );
      stdout.write(`Pending (${status.pending.length}):\n${list(status.pending.map((row) => `${row.name.padEnd(40)} ${row.source}`))}`);
      if (status.unknown.length > 0) {
        stdout.write(`Applied but unknown here (${status.unknown.length}; pass --migrations DIR to know them):\n${list(status.unknown)}`);
      }
      if (status.changed.length > 0) {
        stdout.write(`Changed since applied: ${status.changed.join(', ')}; migrate up refuses to run until they are restored.\n`);
      }
      if (failing) context.io.stderr.write(`tododb: ${status.pending.length} pending, ${status.changed.length} changed\n`);
      return failing ? 1 : 0;
    }),
};

function asJson(status: MigrationStatus) {
  return {
    executed: status.executed.map((row) => row.name),
    pending: status.pending.map((row) => row.name),
    changed: status.changed,
  };
}

function list(lines: string[]): string {
  return lines.length === 0 ? '  (none)\n' : lines.map((line) => `  ${line}\n`).join('');
}
