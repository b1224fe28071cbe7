import { ConfigError, grantApplicationRole, RoleError } from 'tododb';
import type { Command } from '../Command.js';
import { withDatabase } from '../withDatabase.js';

export const rolesGrant: Command = {
  path: ['roles', 'grant'],
  argument: { name: 'ROLE', description: 'An existing role for the application: LOGIN, not a superuser, no BYPASSRLS, not the owner' },
  summary: "Grant an existing role DML on tododb's tables, for row-level security (run as the owner)",
  options: {},
  run: (context) =>
    withDatabase(context, async (db) => {
      const role = context.argument!;
      const grant = await grantApplicationRole(db, role).catch((error: unknown) => Promise.reject(namedAfterArgument(error)));
      const usage = grant.schemaUsageGranted ? `USAGE on schema ${grant.schema}, ` : '';
      context.io.stdout.write(
        `Granted ${role} ${usage}SELECT, INSERT, UPDATE, DELETE on ${grant.readWrite.join(', ')} and SELECT on ${grant.readOnly.join(', ')} in ${db.target}.\n` +
          `Connect the application as ${role} with DATABASE_ROW_LEVEL_SECURITY=true; grant again after a migration that adds a table.\n`,
      );
      return 0;
    }),
};

// The library names its parameter, `role`; on the command line the user gave ROLE.
function namedAfterArgument(error: unknown): unknown {
  if (error instanceof RoleError) return new RoleError(error.reason, error.message.replaceAll('`role`', 'ROLE'), { cause: error });
  if (error instanceof ConfigError && error.field === 'role')
    return new ConfigError('ROLE', error.message.replaceAll('`role`', 'ROLE'), { cause: error });
  return error;
}
