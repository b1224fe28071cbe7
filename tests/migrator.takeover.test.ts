// Issue 7, the data-loss fix: tododb never takes over — and so never later drops — a `users` or
// `tasks` table that the service made itself before it installed tododb.
import { afterAll, describe, expect, it } from 'vitest';
import { createMigrator, MigrationError, type MigrationDefinition } from '../src/index.js';
import { relationsIn, tableSnapshot, withClient } from './support/catalog.js';
import { databaseForTest } from './support/databaseForTest.js';
import { createForeignTasks, createForeignUsers } from './support/foreignTables.js';
import { ALL_MIGRATIONS, lines, removeEmptyDirs, runCli } from './fixtures/cli.js';

afterAll(removeEmptyDirs);

/** An application migration that would leave a trace if it ran. */
const appMigration: MigrationDefinition = {
  name: '20260101-app-notes',
  up: async ({ query, schema }) => {
    await query(`CREATE TABLE "${schema}".app_notes (id int)`);
  },
  down: async ({ query, schema }) => {
    await query(`DROP TABLE "${schema}".app_notes`);
  },
};

/** Whatever `work` does, the service's table and everything else in `public` stay exactly as they were. */
async function expectUntouched(url: string, table: 'users' | 'tasks', work: () => Promise<void>): Promise<void> {
  const table0 = await tableSnapshot(url, 'public', table);
  const relations0 = await relationsIn(url, 'public');
  await work();
  expect(await tableSnapshot(url, 'public', table)).toEqual(table0);
  expect(await relationsIn(url, 'public')).toEqual(relations0);
}

/** None of tododb's tables, not even its migration table, besides `except`. */
async function expectNoTododbTables(url: string, except?: 'users' | 'tasks'): Promise<void> {
  const relations = await relationsIn(url, 'public');
  for (const table of ['users', 'tasks', 'tododb_migrations']) {
    if (table !== except) expect(relations).not.toContain(table);
  }
}

function expectTakeoverRefused(error: unknown, table: string): void {
  expect(error).toBeInstanceOf(MigrationError);
  expect(error).toMatchObject({ code: 'MIGRATION_TABLE_EXISTS' });
  expect((error as Error).message).toContain(`public.${table} already exists`);
}

describe("migrate up next to the service's own users table", () => {
  it('refuses with MIGRATION_TABLE_EXISTS naming public.users, and changes nothing at all', async () => {
    const { url, db } = await databaseForTest();
    await createForeignUsers(url);
    const migrator = createMigrator(db, { migrations: [appMigration] });
    await expectUntouched(url, 'users', async () => {
      const error = await migrator.up().catch((caught: unknown) => caught);
      expectTakeoverRefused(error, 'users');
      expect((error as MigrationError).migration).toBe('0001-create-users');
    });
    await expectNoTododbTables(url, 'users');
    expect(await migrator.executed()).toEqual([]);
    expect(await migrator.pending()).toEqual([...ALL_MIGRATIONS, appMigration.name]);
  });

  it('refuses the same way when asked to go only as far as 0001', async () => {
    const { url, db } = await databaseForTest();
    await createForeignUsers(url);
    await expectUntouched(url, 'users', async () => {
      expectTakeoverRefused(
        await createMigrator(db)
          .up({ to: '0001-create-users' })
          .catch((caught: unknown) => caught),
        'users',
      );
    });
    await expectNoTododbTables(url, 'users');
  });

  it('migrate down --to 0 afterwards reverts nothing and drops nothing', async () => {
    const { url, db } = await databaseForTest();
    await createForeignUsers(url);
    const migrator = createMigrator(db);
    await expectUntouched(url, 'users', async () => {
      await migrator.up().catch(() => {});
      expect(await migrator.down({ to: 0 })).toEqual([]);
      expect(await migrator.down()).toEqual([]);
    });
  });

  it('the CLI exits 1 with one line naming public.users, applies nothing and changes nothing', async () => {
    const { url } = await databaseForTest();
    await createForeignUsers(url);
    await expectUntouched(url, 'users', async () => {
      const result = await runCli(['migrate', 'up'], { env: { DATABASE_URL: url } });
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      const [line, ...rest] = lines(result.stderr);
      expect(rest).toEqual([]);
      expect(line).toMatch(/^tododb: Table public\.users already exists and was not created by tododb's migrations;.*Nothing was changed/);
    });
    await expectNoTododbTables(url, 'users');
    const status = await runCli(['migrate', 'status', '--json'], { env: { DATABASE_URL: url } });
    expect(JSON.parse(status.stdout)).toMatchObject({ executed: [], pending: ALL_MIGRATIONS });
  });
});

describe("migrate up next to the service's own tasks table", () => {
  it('refuses naming public.tasks before anything is applied, not even 0001', async () => {
    const { url, db } = await databaseForTest();
    await createForeignTasks(url);
    const migrator = createMigrator(db, { migrations: [appMigration] });
    await expectUntouched(url, 'tasks', async () => {
      const error = await migrator.up().catch((caught: unknown) => caught);
      expectTakeoverRefused(error, 'tasks');
      expect((error as MigrationError).migration).toBe('0002-create-tasks');
    });
    await expectNoTododbTables(url, 'tasks');
    expect(await migrator.executed()).toEqual([]);
  });

  it('refuses when tododb already made users and the service made tasks, keeping both', async () => {
    const { url, db } = await databaseForTest();
    await createForeignTasks(url);
    const migrator = createMigrator(db);
    // Going only as far as 0001 is allowed: it creates users alone.
    expect(await migrator.up({ to: '0001-create-users' })).toEqual(['0001-create-users']);
    await db.users.create({ email: 'kept@example.com' });
    await expectUntouched(url, 'tasks', async () => {
      expectTakeoverRefused(await migrator.up().catch((caught: unknown) => caught), 'tasks');
    });
    expect(await migrator.executed()).toEqual(['0001-create-users']);
    expect(await db.users.getByEmail('kept@example.com')).toMatchObject({ email: 'kept@example.com' });

    // Reverting all reverts only what tododb applied: its users go, the service's tasks stay.
    const tasks = await tableSnapshot(url, 'public', 'tasks');
    expect(await migrator.down({ to: 0 })).toEqual(['0001-create-users']);
    expect(await tableSnapshot(url, 'public', 'tasks')).toEqual(tasks);
    expect(await withClient(url, async (client) => (await client.query(`SELECT to_regclass('public.users') AS users`)).rows[0])).toEqual({
      users: null,
    });
  });
});
