// The application role for row-level security: grantApplicationRole(db, role) and
// `tododb roles grant ROLE`. What it grants (DML only), and every role it must refuse because
// row-level security would not hold for it.
import { afterAll, describe, expect, it } from 'vitest';
import { checkHealth, ConfigError, createMigrator, grantApplicationRole, RoleError, type RoleRefusal } from '../src/index.js';
import { lines, removeEmptyDirs, runCli } from './fixtures/cli.js';
import { databaseForTest } from './support/databaseForTest.js';
import { createTwoRoleDatabase, useTwoRoleDatabase } from './support/twoRoleDatabase.js';

const setup = useTwoRoleDatabase();
afterAll(removeEmptyDirs);

/** The privileges `role` holds on tododb's tables and schema, asked of the server. */
async function privileges(role: string, schema = 'public'): Promise<Record<string, boolean>> {
  return setup().asSuperuser(async (client) => {
    const { rows } = await client.query<{ privileges: Record<string, boolean> }>(
      `SELECT json_build_object(
         'users', has_table_privilege($1, $2 || '.users', 'SELECT, INSERT, UPDATE, DELETE'),
         'tasks', has_table_privilege($1, $2 || '.tasks', 'SELECT, INSERT, UPDATE, DELETE'),
         'tasks TRUNCATE', has_table_privilege($1, $2 || '.tasks', 'TRUNCATE'),
         'migrations SELECT', has_table_privilege($1, $2 || '.tododb_migrations', 'SELECT'),
         'migrations INSERT', has_table_privilege($1, $2 || '.tododb_migrations', 'INSERT'),
         'schema USAGE', has_schema_privilege($1, $2, 'USAGE'),
         'schema CREATE', has_schema_privilege($1, $2, 'CREATE')) AS privileges`,
      [role, schema],
    );
    return rows[0]!.privileges;
  });
}

const GRANTED = {
  users: true,
  tasks: true,
  'tasks TRUNCATE': false,
  'migrations SELECT': true,
  'migrations INSERT': false,
  'schema USAGE': true,
  'schema CREATE': false,
};

/** What a grant was refused with; fails the test when it was granted. */
async function refused(grant: Promise<unknown>, reason: RoleRefusal, role: string): Promise<RoleError> {
  const error = await grant.then(
    () => expect.fail(`granted to a role that must be refused (${reason})`),
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(RoleError);
  expect(error).toMatchObject({ code: 'ROLE_REFUSED', reason });
  expect((error as Error).message).not.toContain(role);
  return error as RoleError;
}

describe('grantApplicationRole', () => {
  it('grants DML on users and tasks and SELECT on the migration table, nothing more, and may be run again', async () => {
    const s = setup();
    const fresh = await s.createRole('fresh', 'NOSUPERUSER NOBYPASSRLS');
    const owner = s.open(s.owner);
    expect(await grantApplicationRole(owner, fresh.name)).toEqual({
      schema: 'public',
      readWrite: ['users', 'tasks'],
      readOnly: ['tododb_migrations'],
      // PUBLIC already has USAGE on public.
      schemaUsageGranted: false,
    });
    expect(await grantApplicationRole(owner, fresh.name)).toMatchObject({ readWrite: ['users', 'tasks'] });
    expect(await privileges(fresh.name)).toEqual(GRANTED);

    // Not the owner: it cannot turn the policy off, and health can count the migrations.
    const app = s.open(fresh, { rowLevelSecurity: true });
    await expect(app.sequelize.query('ALTER TABLE tasks DISABLE ROW LEVEL SECURITY')).rejects.toThrow(/must be owner/);
    expect(await checkHealth(app)).toMatchObject({ status: 'ok', migrations: { applied: 3, pending: 0 } });
    const user = await app.users.create({ email: 'fresh@example.com' });
    expect((await app.tasks.create(user.id, { title: 'works' })).userId).toBe(user.id);
  });

  it('refuses a superuser, a role with BYPASSRLS, and a member of a role that bypasses row-level security (Neon’s neon_superuser)', async () => {
    const s = setup();
    const owner = s.open(s.owner);
    // The server's own superuser, whom the tests log in as.
    const superuser = await s.asSuperuser(
      async (client) => (await client.query<{ name: string }>('SELECT current_user AS name')).rows[0]!.name,
    );
    await refused(grantApplicationRole(owner, superuser), 'superuser', superuser);

    const bypass = await s.createRole('bypass', 'NOSUPERUSER BYPASSRLS');
    await refused(grantApplicationRole(owner, bypass.name), 'bypassrls', bypass.name);

    // What Neon does to a role made in its console: a member of neon_superuser, which has BYPASSRLS.
    const neonSuperuser = await s.createRole('neon_superuser', 'NOLOGIN BYPASSRLS');
    const consoleRole = await s.createRole('console', 'NOSUPERUSER NOBYPASSRLS');
    await s.asSuperuser((client) => client.query(`GRANT "${neonSuperuser.name}" TO "${consoleRole.name}"`));
    const error = await refused(grantApplicationRole(owner, consoleRole.name), 'bypassrls', consoleRole.name);
    expect(error.message).toMatch(/neon_superuser/);

    for (const role of [bypass, consoleRole]) expect((await privileges(role.name)).tasks, role.name).toBe(false);
  });

  it('refuses the tables’ owner and a member of the owner role', async () => {
    const s = setup();
    const owner = s.open(s.owner);
    await refused(grantApplicationRole(owner, s.owner.name), 'owner', s.owner.name);
    const kin = await s.createRole('kin', 'NOSUPERUSER NOBYPASSRLS');
    await s.asSuperuser((client) => client.query(`GRANT "${s.owner.name}" TO "${kin.name}"`));
    await refused(grantApplicationRole(owner, kin.name), 'owner', kin.name);
  });

  it('refuses a role that does not exist, and a name that cannot be a role, naming the field but not the value', async () => {
    const s = setup();
    const owner = s.open(s.owner);
    const missing = `${s.app.name}_nobody`;
    const error = await refused(grantApplicationRole(owner, missing), 'missing', missing);
    expect(error.message).toMatch(/CREATE ROLE/);
    for (const bad of ['', '   ', 'x'.repeat(64), 'pg_monitor', 42, undefined]) {
      const thrown = await grantApplicationRole(owner, bad as string).catch((caught: unknown) => caught);
      expect(thrown, String(bad)).toBeInstanceOf(ConfigError);
      expect(thrown).toMatchObject({ field: 'role' });
      if (typeof bad === 'string' && bad.trim() !== '') expect((thrown as Error).message).not.toContain(bad);
    }
  });

  it('refuses to grant from a connection that does not own the tables (GRANT there would only warn)', async () => {
    const s = setup();
    const other = await s.createRole('other', 'NOSUPERUSER NOBYPASSRLS');
    await refused(grantApplicationRole(s.open(s.app), other.name), 'not-owner', other.name);
    expect((await privileges(other.name)).tasks).toBe(false);
  });

  it('refuses before the migrations have made the tables and the policy', async () => {
    const empty = await databaseForTest();
    await refused(grantApplicationRole(empty.db, setup().app.name), 'not-migrated', setup().app.name);
    // Without 0003 the application role would see every task.
    const migrated = await databaseForTest({ migrated: true });
    await createMigrator(migrated.db).down();
    await refused(grantApplicationRole(migrated.db, setup().app.name), 'not-migrated', setup().app.name);
  });
});

describe('grantApplicationRole on a schema of its own', () => {
  it('grants USAGE on the schema, and row-level security holds there', async () => {
    const s = await createTwoRoleDatabase({ schema: 'todo_app' });
    try {
      const fresh = await s.createRole('fresh', 'NOSUPERUSER NOBYPASSRLS');
      expect(await grantApplicationRole(s.open(s.owner), fresh.name)).toMatchObject({ schema: 'todo_app', schemaUsageGranted: true });
      const app = s.open(fresh, { rowLevelSecurity: true });
      const [ada, bob] = [await app.users.create({ email: 'ada@example.com' }), await app.users.create({ email: 'bob@example.com' })];
      await app.tasks.create(ada.id, { title: 'ada' });
      await app.tasks.create(bob.id, { title: 'bob' });
      expect(await app.models.Task.count()).toBe(0);
      const seen = await app.transaction(async (tx) => {
        await tx.tasks.list(ada.id);
        return tx.models.Task.findAll({ transaction: tx.transaction });
      });
      expect(seen.map((task) => task.title)).toEqual(['ada']);
    } finally {
      await s.drop();
    }
  });
});

describe('tododb roles grant', () => {
  const ownerUrl = () => setup().urlAs(setup().owner);

  it('grants, run as the owner from MIGRATION_DATABASE_URL while DATABASE_URL is the application’s', async () => {
    const s = setup();
    const role = await s.createRole('cli', 'NOSUPERUSER NOBYPASSRLS');
    const result = await runCli(['roles', 'grant', role.name], {
      env: { MIGRATION_DATABASE_URL: ownerUrl(), DATABASE_URL: s.urlAs(s.app) },
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Granted ${role.name} SELECT, INSERT, UPDATE, DELETE on users, tasks and SELECT on tododb_migrations`);
    expect(result.stdout).not.toContain(s.owner.password);
    expect(await privileges(role.name)).toEqual(GRANTED);
  });

  it('refuses a role that bypasses row-level security with exit 1 and one line, without the password', async () => {
    const s = setup();
    const bypass = await s.createRole('clibypass', 'NOSUPERUSER BYPASSRLS');
    const result = await runCli(['roles', 'grant', bypass.name, '--url', ownerUrl()]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(lines(result.stderr)).toEqual([expect.stringMatching(/^tododb: Refused: the role given as ROLE has BYPASSRLS/)]);
    expect(result.stderr).not.toContain(s.owner.password);
  });

  it('is listed in help, and needs its ROLE', async () => {
    expect((await runCli(['--help'])).stdout).toMatch(/^ {2}roles grant ROLE {2,}Grant an existing role DML/m);
    const missing = await runCli(['roles', 'grant', '--url', ownerUrl()]);
    expect(missing.code).toBe(2);
    expect(lines(missing.stderr)[0]).toBe('tododb: missing ROLE');
    expect(lines((await runCli(['roles'])).stderr)[0]).toBe('tododb: "roles" needs a subcommand');
  });
});
