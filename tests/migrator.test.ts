// An application's own migrations through createMigrator(db, { migrations }): order, records,
// status, refusals, reverting, failures, bad input, and three processes at once.
import { DataTypes } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations as tododbMigrations } from '../migrations/index.js';
import {
  createDatabase,
  createMigrator,
  MigrationError,
  type Database,
  type MigrationDefinition,
  type MigrationEvent,
} from '../src/index.js';
import { tablesIn, withClient } from './support/catalog.js';
import { databaseForTest } from './support/databaseForTest.js';
import { useDatabaseCopy } from './support/testDatabase.js';

/** Every migration tododb ships, in order: read from its list so that a new one needs no edit here. */
const TODODB = tododbMigrations.map((migration) => migration.name);

/** A migration that creates table `table` (and drops it on the way down). */
function createsTable(name: string, table: string, extra: Partial<MigrationDefinition> = {}): MigrationDefinition {
  return {
    name,
    up: async ({ query, schema }) => {
      await query(`CREATE TABLE "${schema}"."${table}" (id int PRIMARY KEY)`);
    },
    down: async ({ query, schema }) => {
      await query(`DROP TABLE "${schema}"."${table}"`);
    },
    ...extra,
  };
}

/** The rows of the migration table, oldest first. */
async function records(url: string): Promise<{ name: string; source: string; checksum: string | null }[]> {
  return withClient(
    url,
    async (client) => (await client.query(`SELECT name, source, checksum FROM tododb_migrations ORDER BY executed_at, name`)).rows,
  );
}

async function rejection(promise: Promise<unknown>): Promise<MigrationError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(MigrationError);
  return error as MigrationError;
}

describe("the application's migrations", () => {
  it("run after tododb's own, ordered by name within their source, each recorded with source app and a checksum", async () => {
    const { url, db } = await databaseForTest();
    // Given out of order, and one that sorts before tododb's own names: order is per source.
    const migrations = [createsTable('20260102-b', 'b'), createsTable('0000-a', 'a'), createsTable('20260103-c', 'c', { checksum: 'v1' })];
    const migrator = createMigrator(db, { migrations });

    expect((await migrator.status()).pending).toEqual([
      ...TODODB.map((name) => ({ name, source: 'tododb' })),
      { name: '0000-a', source: 'app' },
      { name: '20260102-b', source: 'app' },
      { name: '20260103-c', source: 'app' },
    ]);
    const applied = [...TODODB, '0000-a', '20260102-b', '20260103-c'];
    expect(await migrator.up()).toEqual(applied);
    expect(await tablesIn(url, 'public')).toEqual(['a', 'b', 'c', 'tasks', 'tododb_migrations', 'users']);

    const rows = await records(url);
    expect(rows.map((row) => [row.name, row.source])).toEqual(applied.map((name) => [name, TODODB.includes(name) ? 'tododb' : 'app']));
    // Without a checksum of its own, a migration's is the hash of its functions' text.
    expect(rows.map((row) => row.checksum)).toEqual([...Array(TODODB.length + 2).fill(expect.stringMatching(/^[0-9a-f]{64}$/)), 'v1']);

    const status = await migrator.status();
    expect(status).toMatchObject({ pending: [], changed: [], unknown: [] });
    expect(status.executed.map(({ name, source, changed }) => ({ name, source, changed }))).toEqual(
      applied.map((name) => ({ name, source: TODODB.includes(name) ? 'tododb' : 'app', changed: false })),
    );
    const times = status.executed.map((row) => row.appliedAt);
    for (const time of times) expect(time).toBeInstanceOf(Date);
    expect([...times].sort((x, y) => x.getTime() - y.getTime())).toEqual(times);
    expect(await migrator.executed()).toEqual(applied);
    expect(await migrator.up()).toEqual([]);
  });

  it('a migration using queryInterface and transaction, and one using query, both work; db.users inside a migration joins its transaction', async () => {
    const { url, db } = await databaseForTest();
    const viaQueryInterface: MigrationDefinition = {
      name: '20260101-tags',
      up: async ({ queryInterface, transaction, schema }) => {
        await queryInterface.createTable(
          { tableName: 'tags', schema },
          { id: { type: DataTypes.INTEGER, primaryKey: true }, label: { type: DataTypes.TEXT, allowNull: false } },
          { transaction },
        );
        await queryInterface.addIndex({ tableName: 'tags', schema }, ['label'], { name: 'tags_label_idx', unique: true, transaction });
      },
      down: async ({ queryInterface, transaction, schema }) => {
        await queryInterface.dropTable({ tableName: 'tags', schema }, { transaction });
      },
    };
    const viaQuery: MigrationDefinition = {
      name: '20260102-seed-tags',
      up: async ({ query, schema }) => {
        const { rowCount } = await query(`INSERT INTO "${schema}".tags (id, label) VALUES ($1, $2), ($3, $4)`, [1, 'home', 2, 'work']);
        expect(rowCount).toBe(2);
      },
    };
    const viaService: MigrationDefinition = {
      name: '20260103-seed-admin',
      up: async ({ query, schema }) => {
        const admin = await db.users.create({ email: 'admin@example.com' });
        // Visible inside the migration's transaction: the call joined it.
        const { rows } = await query(`SELECT email FROM "${schema}".users WHERE id = $1`, [admin.id]);
        expect(rows).toEqual([{ email: 'admin@example.com' }]);
      },
    };
    expect(await createMigrator(db, { migrations: [viaQueryInterface, viaQuery, viaService] }).up()).toEqual([
      ...TODODB,
      viaQueryInterface.name,
      viaQuery.name,
      viaService.name,
    ]);
    expect(await withClient(url, async (client) => (await client.query(`SELECT label FROM tags ORDER BY id`)).rows)).toEqual([
      { label: 'home' },
      { label: 'work' },
    ]);
    expect(
      await withClient(
        url,
        async (client) => (await client.query(`SELECT indexname FROM pg_indexes WHERE indexname = 'tags_label_idx'`)).rowCount,
      ),
    ).toBe(1);
    expect(await db.users.getByEmail('admin@example.com')).toMatchObject({ email: 'admin@example.com' });
  });

  it('a db.users call in a migration that then fails is rolled back with it, even with a pool of one connection', async () => {
    const { db, open } = await databaseForTest();
    await createMigrator(db).up();
    const single = open({ pool: { max: 1, acquireTimeoutMs: 5_000 } });
    const failing: MigrationDefinition = {
      name: '20260101-seed-then-fail',
      up: async () => {
        await single.users.create({ email: 'ghost@example.com' });
        await single.tasks.list((await single.users.getByEmail('ghost@example.com')).id);
        throw new Error('seeding went wrong');
      },
    };
    const error = await rejection(createMigrator(single, { migrations: [failing] }).up());
    expect(error).toMatchObject({ code: 'MIGRATION_FAILED', migration: failing.name });
    expect(error.message).toContain('seeding went wrong');
    await expect(db.users.getByEmail('ghost@example.com')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await createMigrator(db, { migrations: [failing] }).pending()).toEqual([failing.name]);
  });
});

describe('status and refusals', () => {
  it('refuses a migration that sorts before an applied one of its source (MIGRATION_OUT_OF_ORDER), applying nothing', async () => {
    const { url, db } = await databaseForTest();
    await createMigrator(db, { migrations: [createsTable('20260105-e', 'e')] }).up();
    const before = await records(url);

    const late = createsTable('20260101-a', 'a');
    const fine = createsTable('20260109-z', 'z');
    const migrator = createMigrator(db, { migrations: [late, createsTable('20260105-e', 'e'), fine] });
    const error = await rejection(migrator.up());
    expect(error).toMatchObject({ code: 'MIGRATION_OUT_OF_ORDER', migration: '20260101-a' });
    expect(error.message).toContain('20260101-a');
    expect(error.message).toContain('20260105-e');
    expect(await records(url)).toEqual(before);
    expect(await tablesIn(url, 'public')).toEqual(['e', 'tasks', 'tododb_migrations', 'users']);
  });

  it('an edited migration (another checksum) is reported as changed and stops up unless allowChanged', async () => {
    const { url, db } = await databaseForTest();
    await createMigrator(db, { migrations: [createsTable('20260101-a', 'a', { checksum: 'v1' })] }).up();
    const edited = createsTable('20260101-a', 'a', { checksum: 'v2' });
    const next = createsTable('20260102-b', 'b');
    const migrator = createMigrator(db, { migrations: [edited, next] });

    const status = await migrator.status();
    expect(status.changed).toEqual(['20260101-a']);
    expect(status.executed.find((row) => row.name === '20260101-a')).toMatchObject({ changed: true });
    expect(status.pending).toEqual([{ name: '20260102-b', source: 'app' }]);

    const error = await rejection(migrator.up());
    expect(error).toMatchObject({ code: 'MIGRATION_CHANGED', migration: '20260101-a' });
    expect(await tablesIn(url, 'public')).not.toContain('b');

    expect(await createMigrator(db, { migrations: [edited, next], allowChanged: true }).up()).toEqual(['20260102-b']);
    expect(await tablesIn(url, 'public')).toContain('b');
  });

  it('an edited function body (no checksum given) is reported as changed; the same text again is not', async () => {
    const { db } = await databaseForTest();
    const original: MigrationDefinition = {
      name: '20260101-widgets',
      up: async ({ query }) => {
        await query('CREATE TABLE widgets (id int)');
      },
    };
    await createMigrator(db, { migrations: [original] }).up();
    const sameText: MigrationDefinition = {
      name: '20260101-widgets',
      up: async ({ query }) => {
        await query('CREATE TABLE widgets (id int)');
      },
    };
    expect((await createMigrator(db, { migrations: [sameText] }).status()).changed).toEqual([]);

    const edited: MigrationDefinition = {
      name: '20260101-widgets',
      up: async ({ query }) => {
        await query('CREATE TABLE widgets (id bigint)');
      },
    };
    const migrator = createMigrator(db, { migrations: [edited] });
    expect((await migrator.status()).changed).toEqual(['20260101-widgets']);
    await expect(migrator.up()).rejects.toMatchObject({ code: 'MIGRATION_CHANGED' });
  });

  it('an applied migration no longer given is reported as unknown, and down refuses to revert it (MIGRATION_UNKNOWN)', async () => {
    const { url, db } = await databaseForTest();
    await createMigrator(db, { migrations: [createsTable('20260101-a', 'a')] }).up();
    const before = await records(url);

    const migrator = createMigrator(db);
    const status = await migrator.status();
    expect(status).toMatchObject({ unknown: ['20260101-a'], pending: [], changed: [] });
    expect(status.executed.at(-1)).toMatchObject({ name: '20260101-a', source: 'app', changed: false });
    expect(await migrator.up()).toEqual([]);

    for (const down of [() => migrator.down(), () => migrator.down({ to: 0 })]) {
      const error = await rejection(down());
      expect(error).toMatchObject({ code: 'MIGRATION_UNKNOWN', migration: '20260101-a' });
    }
    expect(await records(url)).toEqual(before);
    expect(await tablesIn(url, 'public')).toEqual(['a', 'tasks', 'tododb_migrations', 'users']);
  });

  it("down reverts the newest applied first — the application's before tododb's — and down({ to: 0 }) reverts all", async () => {
    const { url, db } = await databaseForTest();
    const events: MigrationEvent[] = [];
    const migrations = [createsTable('20260101-a', 'a'), createsTable('20260102-b', 'b')];
    const migrator = createMigrator(db, { migrations, onMigration: (event) => events.push(event) });
    await migrator.up();

    expect(await migrator.down()).toEqual(['20260102-b']);
    expect(await tablesIn(url, 'public')).toEqual(['a', 'tasks', 'tododb_migrations', 'users']);
    expect(await migrator.pending()).toEqual(['20260102-b']);
    await migrator.up();

    events.length = 0;
    const reverted = ['20260102-b', '20260101-a', ...[...TODODB].reverse()];
    expect(await migrator.down({ to: 0 })).toEqual(reverted);
    expect(events.map(({ name, direction, outcome }) => `${direction} ${name} ${outcome}`)).toEqual(
      reverted.map((name) => `down ${name} done`),
    );
    expect(await tablesIn(url, 'public')).toEqual(['tododb_migrations']);
    expect(await records(url)).toEqual([]);
  });

  it('refuses to revert an application migration without down (MIGRATION_IRREVERSIBLE), reverting nothing', async () => {
    const { url, db } = await databaseForTest();
    const oneWay: MigrationDefinition = {
      name: '20260101-one-way',
      up: async ({ query }) => void (await query('CREATE TABLE one_way (id int)')),
    };
    const migrator = createMigrator(db, { migrations: [oneWay] });
    await migrator.up();
    await expect(migrator.down({ to: 0 })).rejects.toMatchObject({ code: 'MIGRATION_IRREVERSIBLE', migration: oneWay.name });
    expect(await tablesIn(url, 'public')).toEqual(['one_way', 'tasks', 'tododb_migrations', 'users']);
  });
});

describe('a failing application migration', () => {
  it('leaves the schema as it was: its own statements roll back, the ones before it stay applied', async () => {
    const { url, db } = await databaseForTest();
    const half: MigrationDefinition = {
      name: '20260102-half',
      up: async ({ query, queryInterface, transaction }) => {
        await query('CREATE TABLE half_done (id int)');
        await queryInterface.addColumn('half_done', 'label', { type: DataTypes.TEXT }, { transaction });
        await query('INSERT INTO half_done VALUES (1)');
        await query('ALTER TABLE users ADD COLUMN should_vanish int');
        await query('SELECT no_such_function()');
      },
    };
    const migrator = createMigrator(db, { migrations: [createsTable('20260101-a', 'a'), half, createsTable('20260103-c', 'c')] });
    const error = await rejection(migrator.up());
    expect(error).toMatchObject({ code: 'MIGRATION_FAILED', migration: '20260102-half' });
    expect(error.message).toMatch(/^Migration 20260102-half failed and was rolled back: .*no_such_function/);
    expect(error.cause).toBeDefined();

    expect(await tablesIn(url, 'public')).toEqual(['a', 'tasks', 'tododb_migrations', 'users']);
    const columns = await withClient(
      url,
      async (client) =>
        (
          await client.query(
            `SELECT column_name FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'should_vanish'`,
          )
        ).rowCount,
    );
    expect(columns).toBe(0);
    expect((await records(url)).map((row) => row.name)).toEqual([...TODODB, '20260101-a']);
    expect(await migrator.pending()).toEqual(['20260102-half', '20260103-c']);
  });

  it('a failing down leaves the migration applied and its table in place', async () => {
    const { url, db } = await databaseForTest();
    const stubborn = createsTable('20260101-a', 'a', {
      down: async ({ query }) => {
        await query('DROP TABLE a');
        throw new Error('not today');
      },
    });
    const migrator = createMigrator(db, { migrations: [stubborn] });
    await migrator.up();
    await expect(migrator.down()).rejects.toMatchObject({ code: 'MIGRATION_FAILED', migration: '20260101-a' });
    expect(await tablesIn(url, 'public')).toContain('a');
    expect(await migrator.executed()).toContain('20260101-a');
  });
});

describe('bad migrations given to createMigrator', () => {
  const valid = createsTable('20260101-valid', 'valid');
  const cases: [string, unknown, string | undefined][] = [
    ['a list that is not an array', { 0: valid }, undefined],
    ['an entry that is not an object', [valid, null], undefined],
    ['two migrations with one name', [valid, createsTable('20260101-valid', 'other')], '20260101-valid'],
    ['a migration without up', [{ name: '20260102-no-up', down: async () => {} }], '20260102-no-up'],
    ['an up that is not a function', [{ name: '20260102-up-text', up: 'CREATE TABLE x (id int)' }], '20260102-up-text'],
    ['a down that is not a function', [{ ...valid, down: 'DROP TABLE valid' }], '20260101-valid'],
    ['an empty checksum', [{ ...valid, checksum: '' }], '20260101-valid'],
    ["the name of one of tododb's own", [createsTable('0002-create-tasks', 'tasks')], '0002-create-tasks'],
    ['a name with upper-case letters', [createsTable('20260102-Add-Tags', 'tags')], '20260102-Add-Tags'],
    ['a name with a path in it', [createsTable('../20260102-escape', 'tags')], '../20260102-escape'],
    ['a name with a space', [createsTable('20260102 tags', 'tags')], '20260102 tags'],
    ['a name starting with a dot', [createsTable('.20260102-tags', 'tags')], '.20260102-tags'],
    ['an empty name', [createsTable('', 'tags')], ''],
    ['a name that is not a string', [{ ...valid, name: 20260102 }], undefined],
    ['a name of 201 characters', [createsTable(`2${'x'.repeat(200)}`, 'tags')], `2${'x'.repeat(200)}`],
  ];

  // One database for all cases: none of them may change it.
  const testDb = useDatabaseCopy({ migrated: false });
  let db: Database;
  beforeAll(() => {
    db = createDatabase({ url: testDb.url }, {});
  });
  afterAll(() => db.close());

  it.each(cases)('%s: MIGRATION_INVALID before anything changes', async (_label, migrations, name) => {
    let error: unknown;
    try {
      createMigrator(db, { migrations: migrations as MigrationDefinition[] });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(MigrationError);
    expect(error).toMatchObject({ code: 'MIGRATION_INVALID' });
    if (name !== undefined && name !== '') expect((error as MigrationError).message).toContain(`"${name}"`);
    expect(await tablesIn(testDb.url, 'public')).toEqual([]);
  });
});

describe('three migrators with application migrations at once on an empty database', () => {
  it('apply each migration exactly once, and all three succeed', async () => {
    const { url, open } = await databaseForTest();
    const counted = (name: string): MigrationDefinition => ({
      name,
      up: async ({ query }) => {
        await query('CREATE TABLE IF NOT EXISTS runs (name text NOT NULL)');
        // No unique constraint: a second run would add a second row, not fail.
        await query('INSERT INTO runs VALUES ($1)', [name]);
      },
      down: async ({ query }) => void (await query('DELETE FROM runs WHERE name = $1', [name])),
    });
    const migrations = [counted('20260101-a'), counted('20260102-b'), counted('20260103-c')];
    const all = [...TODODB, ...migrations.map((migration) => migration.name)];
    const dbs: Database[] = [open(), open(), open()];
    const events: MigrationEvent[] = [];

    const results = await Promise.all(dbs.map((db) => createMigrator(db, { migrations, onMigration: (event) => events.push(event) }).up()));

    expect(results.flat().sort()).toEqual([...all].sort());
    expect(
      events
        .filter((event) => event.outcome === 'done')
        .map((event) => event.name)
        .sort(),
    ).toEqual([...all].sort());
    expect((await records(url)).map((row) => row.name)).toEqual(all);
    const runs = await withClient(url, async (client) =>
      (await client.query(`SELECT name FROM runs ORDER BY name`)).rows.map((row) => row.name),
    );
    expect(runs).toEqual(migrations.map((migration) => migration.name));
    for (const db of dbs) expect(await createMigrator(db, { migrations }).pending()).toEqual([]);
  });
});
