import type { TransactionScope } from '../connection/TransactionScope.js';
import { connectionsOf, type Database } from '../database/createDatabase.js';
import { ConfigError, RoleError } from '../errors/errors.js';
import { sqlState } from '../errors/sqlState.js';
import { translateError } from '../errors/translateError.js';
import { TABLES, qualified, quoted } from '../schema/names.js';

/** What {@link grantApplicationRole} granted. */
export interface ApplicationRoleGrant {
  /** The schema of tododb's tables. */
  schema: string;
  /** Tables the role may now read and write: SELECT, INSERT, UPDATE, DELETE. */
  readWrite: string[];
  /** Tables it may only read: the migration table, so that `checkHealth` can count pending migrations. */
  readOnly: string[];
  /** Whether USAGE on the schema was granted now; false when the role had it already (through PUBLIC on `public`, say). */
  schemaUsageGranted: boolean;
}

const READ_WRITE = [TABLES.users, TABLES.tasks];
const READ_ONLY = [TABLES.migrations];
// A role name is an identifier: at most 63 bytes (NAMEDATALEN - 1); pg_ names are reserved.
const MAX_ROLE_BYTES = 63;
const INSUFFICIENT_PRIVILEGE = '42501';
const CREATE_ROLE_HINT = "create a role of its own for the application with SQL: CREATE ROLE … LOGIN PASSWORD '…'";

interface RoleRow {
  superuser: boolean;
  bypassrls: boolean;
  /** A member (directly or not) of a superuser or BYPASSRLS role: Neon's console roles are, of neon_superuser. */
  inherits_bypass: boolean;
  has_usage: boolean | null;
}

interface TableRow {
  name: string;
  rls: boolean;
  has_policy: boolean;
  role_owns: boolean;
  can_grant: boolean;
}

/**
 * Makes an existing role the application's role for row-level security: USAGE on tododb's schema,
 * SELECT, INSERT, UPDATE and DELETE on `users` and `tasks`, SELECT on the migration table — DML
 * only, never ownership. Run it connected as the tables' owner (the role that ran the
 * migrations); then connect the application as `role` with `rowLevelSecurity: true`. Granting
 * again is harmless, and is needed after a migration that adds a table.
 *
 * It refuses, with a {@link RoleError} and nothing granted, a role that row-level security would
 * not hold: a superuser, one with BYPASSRLS or a member of a role that bypasses it (on Neon, every
 * role made in the console, CLI or API is a member of `neon_superuser`), or the tables' owner.
 *
 * @example
 * ```ts
 * import { createDatabase, grantApplicationRole } from 'tododb';
 *
 * // As the owner, after `CREATE ROLE app_user LOGIN PASSWORD '…'` and the migrations:
 * const owner = createDatabase({ url: process.env.MIGRATION_DATABASE_URL });
 * await grantApplicationRole(owner, 'app_user');
 * await owner.close();
 * // In the application:
 * const db = createDatabase({ url: process.env.DATABASE_URL, rowLevelSecurity: true }); // as app_user
 * ```
 */
export async function grantApplicationRole(db: Database, role: string): Promise<ApplicationRoleGrant> {
  checkRoleName(role);
  const connections = connectionsOf(db);
  const schema = connections.config.schema;
  try {
    return await connections.transaction(async (scope) => {
      const found = await readRole(scope, role, schema);
      refuseBypassingRole(found);
      const tables = await readTables(scope, role, schema);
      refuseUnmigratedOrOwned(tables);

      const target = quoted(role);
      let schemaUsageGranted = false;
      if (found.has_usage !== true) {
        await scope.execute(`GRANT USAGE ON SCHEMA ${quoted(schema)} TO ${target}`);
        schemaUsageGranted = true;
      }
      const list = (names: readonly string[]) => names.map((name) => qualified(schema, name)).join(', ');
      await scope.execute(`GRANT SELECT, INSERT, UPDATE, DELETE ON ${list(READ_WRITE)} TO ${target}`);
      await scope.execute(`GRANT SELECT ON ${list(READ_ONLY)} TO ${target}`);
      return { schema, readWrite: [...READ_WRITE], readOnly: [...READ_ONLY], schemaUsageGranted };
    }, undefined);
  } catch (error) {
    // The tables' owner may still lack the right to grant USAGE on a schema another role owns.
    if (sqlState(error) === INSUFFICIENT_PRIVILEGE) {
      throw new RoleError(
        'not-owner',
        "Cannot grant: this connection's role may not grant on tododb's schema or its tables; connect as their owner",
        { cause: error },
      );
    }
    throw translateError(error);
  }
}

function checkRoleName(role: unknown): asserts role is string {
  if (
    typeof role !== 'string' ||
    role.trim() === '' ||
    Buffer.byteLength(role) > MAX_ROLE_BYTES ||
    role.startsWith('pg_') ||
    role.includes('\0')
  ) {
    throw new ConfigError(
      'role',
      `Expected \`role\` to be the name of an existing role: 1 to ${MAX_ROLE_BYTES} bytes, not starting with pg_`,
    );
  }
}

async function readRole(scope: TransactionScope, role: string, schema: string): Promise<RoleRow> {
  const { rows } = await scope.execute(
    `SELECT r.rolsuper AS superuser, r.rolbypassrls AS bypassrls,
            EXISTS (SELECT 1 FROM pg_roles b
                     WHERE b.oid <> r.oid AND (b.rolsuper OR b.rolbypassrls) AND pg_has_role(r.oid, b.oid, 'MEMBER')) AS inherits_bypass,
            has_schema_privilege(r.oid, n.oid, 'USAGE') AS has_usage
       FROM pg_roles r LEFT JOIN pg_namespace n ON n.nspname = $2
      WHERE r.rolname = $1`,
    [role, schema],
  );
  const found = rows[0] as RoleRow | undefined;
  if (!found) {
    throw new RoleError(
      'missing',
      `No role has the name given as \`role\` (names are case-sensitive): ${CREATE_ROLE_HINT}, then grant again`,
    );
  }
  return found;
}

function refuseBypassingRole(found: RoleRow): void {
  if (found.superuser) {
    throw new RoleError(
      'superuser',
      `Refused: the role given as \`role\` is a superuser, and superusers bypass row-level security; ${CREATE_ROLE_HINT}`,
    );
  }
  if (found.bypassrls) {
    throw new RoleError(
      'bypassrls',
      `Refused: the role given as \`role\` has BYPASSRLS, so row-level security would not hold for it; ${CREATE_ROLE_HINT}`,
    );
  }
  if (found.inherits_bypass) {
    throw new RoleError(
      'bypassrls',
      'Refused: the role given as `role` is a member of a role that bypasses row-level security (a superuser or BYPASSRLS role; ' +
        `on Neon every role made in the console, CLI or API is a member of neon_superuser); ${CREATE_ROLE_HINT}`,
    );
  }
}

async function readTables(scope: TransactionScope, role: string, schema: string): Promise<TableRow[]> {
  const { rows } = await scope.execute(
    `SELECT c.relname::text AS name, c.relrowsecurity AS rls,
            EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid) AS has_policy,
            pg_has_role(r.oid, c.relowner, 'MEMBER') AS role_owns,
            pg_has_role(current_user, c.relowner, 'USAGE') AS can_grant
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace CROSS JOIN pg_roles r
      WHERE n.nspname = $2 AND c.relname = ANY($3) AND c.relkind IN ('r', 'p') AND r.rolname = $1`,
    [role, schema, [...READ_WRITE, ...READ_ONLY]],
  );
  return rows as TableRow[];
}

function refuseUnmigratedOrOwned(tables: readonly TableRow[]): void {
  const tasks = tables.find((table) => table.name === TABLES.tasks);
  // Granting before the policy exists would give the application a role that sees every task.
  if (tables.length < READ_WRITE.length + READ_ONLY.length || !tasks?.rls || !tasks.has_policy) {
    throw new RoleError(
      'not-migrated',
      "Cannot grant: tododb's tables or the row-level security policy on tasks are missing in this schema; run the migrations first (tododb migrate up)",
    );
  }
  if (tables.some((table) => table.role_owns)) {
    throw new RoleError(
      'owner',
      "Refused: the role given as `role` owns tododb's tables (or is a member of the role that does), and owners bypass row-level security; " +
        'keep the owner for migrations and grant to a role of its own for the application',
    );
  }
  if (tables.some((table) => !table.can_grant)) {
    throw new RoleError(
      'not-owner',
      "Cannot grant: this connection's role does not own tododb's tables; connect as the role that ran the migrations (or a superuser)",
    );
  }
}
