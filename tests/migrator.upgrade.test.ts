// Upgrades: a database migrated by tododb 0.0.x, and a tododb release whose new migrations come
// after the application's applied ones.
import { describe, expect, it } from 'vitest';
import { migrations } from '../migrations/index.js';
import { checkHealth, createMigrator, type MigrationDefinition } from '../src/index.js';
import { knownMigrations } from '../src/migrator/knownMigrations.js';
import { POLICIES } from '../src/schema/names.js';
import { sql, tablesIn, withClient } from './support/catalog.js';
import { databaseForTest } from './support/databaseForTest.js';

/** Every migration tododb ships now, in order. */
const TODODB = migrations.map((migration) => migration.name);
/** What tododb 0.0.x shipped; everything after it (0003 and on) is new to a database it migrated. */
const SHIPPED_IN_0_0_X = ['0001-create-users', '0002-create-tasks'];
const NEW_SINCE_0_0_X = TODODB.slice(SHIPPED_IN_0_0_X.length);

async function migrationTable(url: string): Promise<{ columns: string[]; rows: Record<string, unknown>[] }> {
  return withClient(url, async (client) => {
    const columns = await client.query<{ name: string }>(
      `SELECT attname::text AS name FROM pg_attribute WHERE attrelid = 'public.tododb_migrations'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
    );
    const rows = await client.query(`SELECT * FROM tododb_migrations ORDER BY executed_at`);
    return { columns: columns.rows.map((row) => row.name), rows: rows.rows };
  });
}

describe('a database migrated by tododb 0.0.x', () => {
  // tododb 0.0.x shipped 0001 and 0002 and recorded them in tododb_migrations(name, executed_at)
  // only (git show e267859:src/migrator/migrationTable.ts); its users and tasks are the same as now
  // (both migrations are frozen), so today's migrator makes them, and the table is then put back
  // as 0.0.x left it.
  async function releasedDatabase() {
    const test = await databaseForTest();
    expect(await createMigrator(test.db).up({ to: '0002-create-tasks' })).toEqual(SHIPPED_IN_0_0_X);
    await sql(
      test.url,
      `DROP TABLE tododb_migrations;
       CREATE TABLE tododb_migrations (name text PRIMARY KEY, executed_at timestamptz NOT NULL DEFAULT now());
       INSERT INTO tododb_migrations VALUES ('0001-create-users', '2026-01-10T10:00:00Z'), ('0002-create-tasks', '2026-01-10T10:00:01Z');
       INSERT INTO users (id, email) VALUES ('0190a5f0-0000-7000-8000-000000000001', 'ada@example.com');
       INSERT INTO tasks (id, user_id, title) VALUES ('0190a5f0-0000-7000-8000-000000000002', '0190a5f0-0000-7000-8000-000000000001', 'Written by 0.0.x');`,
    );
    return test;
  }

  it('status reports 0001 and 0002 applied, when, the migrations added since (0003 …) pending, and nothing changed or unknown', async () => {
    const { db } = await releasedDatabase();
    const status = await createMigrator(db).status();
    expect(status).toEqual({
      executed: [
        { name: '0001-create-users', source: 'tododb', appliedAt: new Date('2026-01-10T10:00:00Z'), changed: false },
        { name: '0002-create-tasks', source: 'tododb', appliedAt: new Date('2026-01-10T10:00:01Z'), changed: false },
      ],
      pending: NEW_SINCE_0_0_X.map((name) => ({ name, source: 'tododb' })),
      changed: [],
      unknown: [],
    });
    expect(NEW_SINCE_0_0_X[0]).toBe('0003-tasks-row-level-security');
    expect(await checkHealth(db)).toMatchObject({
      status: 'error',
      reason: expect.stringContaining('pending'),
      migrations: { applied: SHIPPED_IN_0_0_X.length, pending: NEW_SINCE_0_0_X.length },
    });
  });

  it('up adds the source and checksum columns, fills the checksums, then applies 0003 and on, keeping the rows and the data', async () => {
    const { url, db } = await releasedDatabase();
    expect(await createMigrator(db).up()).toEqual(NEW_SINCE_0_0_X);

    const table = await migrationTable(url);
    expect(table.columns).toEqual(['name', 'executed_at', 'source', 'checksum']);
    const checksums = Object.fromEntries(knownMigrations(undefined).map((migration) => [migration.name, migration.checksum]));
    expect(table.rows).toEqual([
      {
        name: '0001-create-users',
        executed_at: new Date('2026-01-10T10:00:00Z'),
        source: 'tododb',
        checksum: checksums['0001-create-users'],
      },
      {
        name: '0002-create-tasks',
        executed_at: new Date('2026-01-10T10:00:01Z'),
        source: 'tododb',
        checksum: checksums['0002-create-tasks'],
      },
      ...NEW_SINCE_0_0_X.map((name) => ({ name, executed_at: expect.any(Date), source: 'tododb', checksum: checksums[name] })),
    ]);
    // 0003 really ran: its policy is on tasks.
    expect(
      await withClient(url, async (client) => (await client.query(`SELECT policyname FROM pg_policies WHERE tablename = 'tasks'`)).rows),
    ).toEqual([{ policyname: POLICIES.tasksActingUser.name }]);
    const ada = await db.users.getByEmail('ada@example.com');
    expect(ada).toMatchObject({ id: '0190a5f0-0000-7000-8000-000000000001' });
    expect((await db.tasks.list(ada.id)).items).toMatchObject([{ id: '0190a5f0-0000-7000-8000-000000000002', title: 'Written by 0.0.x' }]);
    expect(await createMigrator(db).status()).toMatchObject({ pending: [], changed: [], unknown: [] });
    expect(await checkHealth(db)).toMatchObject({ status: 'ok', migrations: { applied: TODODB.length, pending: 0 } });
  });

  it("up with the application's first migrations applies tododb's new ones, then those, and fills the checksums too", async () => {
    const { url, db } = await releasedDatabase();
    const tags: MigrationDefinition = { name: '20260201-tags', up: async ({ query }) => void (await query('CREATE TABLE tags (id int)')) };
    expect(await createMigrator(db, { migrations: [tags] }).up()).toEqual([...NEW_SINCE_0_0_X, '20260201-tags']);
    const { rows } = await migrationTable(url);
    expect(rows.map(({ name, source }) => [name, source])).toEqual([...TODODB.map((name) => [name, 'tododb']), ['20260201-tags', 'app']]);
    for (const row of rows) expect(row.checksum).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('a tododb release that adds migrations after the application applied its own', () => {
  it('applies the new tododb migrations cleanly after the applied application migrations', async () => {
    const { url, db } = await databaseForTest();
    const app = [createsTable('20260101-labels', 'labels'), createsTable('20260102-colors', 'colors')];
    expect(await createMigrator(db, { migrations: app }).up()).toEqual([...TODODB, ...app.map((migration) => migration.name)]);

    // As if 0002 and 0003 were new in this release: not recorded, the tasks table (and with it
    // 0003's policy) not there. Their names sort before the applied application migrations, which
    // must not matter: each source has its own order.
    await sql(url, `DELETE FROM tododb_migrations WHERE name IN ('0002-create-tasks', '0003-tasks-row-level-security'); DROP TABLE tasks;`);
    const later = createsTable('20260103-sizes', 'sizes');
    const migrator = createMigrator(db, { migrations: [...app, later] });
    expect((await migrator.status()).pending).toEqual([
      { name: '0002-create-tasks', source: 'tododb' },
      { name: '0003-tasks-row-level-security', source: 'tododb' },
      { name: '20260103-sizes', source: 'app' },
    ]);

    expect(await migrator.up()).toEqual(['0002-create-tasks', '0003-tasks-row-level-security', '20260103-sizes']);
    expect(await tablesIn(url, 'public')).toEqual(['colors', 'labels', 'sizes', 'tasks', 'tododb_migrations', 'users']);
    const user = await db.users.create({ email: 'ada@example.com' });
    expect(await db.tasks.create(user.id, { title: 'After the upgrade' })).toMatchObject({ userId: user.id });

    // Newest applied first: the application's latest, then the tododb migrations applied after the others.
    expect(await migrator.executed()).toEqual([
      '0001-create-users',
      '20260101-labels',
      '20260102-colors',
      '0002-create-tasks',
      '0003-tasks-row-level-security',
      '20260103-sizes',
    ]);
    expect(await migrator.down()).toEqual(['20260103-sizes']);
    expect(await migrator.down()).toEqual(['0003-tasks-row-level-security']);
    expect(await migrator.down()).toEqual(['0002-create-tasks']);
  });
});

function createsTable(name: string, table: string): MigrationDefinition {
  return {
    name,
    up: async ({ query, schema }) => void (await query(`CREATE TABLE "${schema}"."${table}" (id int)`)),
    down: async ({ query, schema }) => void (await query(`DROP TABLE "${schema}"."${table}"`)),
  };
}
