import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, createMigrator, type Database, type MigrationDefinition } from '../src/index.js';
import { createTestDatabase, useDatabaseCopy } from './support/testDatabase.js';

const ALL = ['0001-create-users', '0002-create-tasks', '0003-tasks-row-level-security'];

describe('migrations on an empty database', () => {
  const testDb = useDatabaseCopy({ migrated: false });
  let db: Database;

  beforeAll(() => {
    db = createDatabase({ url: testDb.url }, {});
  });
  afterAll(async () => {
    await db.close();
  });

  it('goes up from empty, down to zero and up again', async () => {
    const migrator = createMigrator(db);
    expect(await migrator.pending()).toEqual(ALL);
    expect(await migrator.executed()).toEqual([]);

    expect(await migrator.up()).toEqual(ALL);
    expect(await migrator.executed()).toEqual(ALL);
    expect(await migrator.pending()).toEqual([]);
    expect(await migrator.up()).toEqual([]);

    expect(await migrator.down()).toEqual(['0003-tasks-row-level-security']);
    expect(await migrator.down()).toEqual(['0002-create-tasks']);
    expect(await tables(db)).toEqual(['tododb_migrations', 'users']);

    expect(await migrator.down({ to: 0 })).toEqual(['0001-create-users']);
    expect(await tables(db)).toEqual(['tododb_migrations']);
    expect(await migrator.executed()).toEqual([]);

    expect(await migrator.up({ to: '0001-create-users' })).toEqual(['0001-create-users']);
    expect(await migrator.up()).toEqual(ALL.slice(1));
    expect(await tables(db)).toEqual(['tasks', 'tododb_migrations', 'users']);
  });

  it('refuses an unknown migration name with a typed error', async () => {
    await expect(createMigrator(db).up({ to: 'nope' })).rejects.toMatchObject({ code: 'MIGRATION_UNKNOWN' });
  });
});

async function tables(db: Database): Promise<string[]> {
  const rows = await db.sequelize.query<{ table_name: string }>(
    `SELECT table_name::text AS table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
    { type: QueryTypes.SELECT },
  );
  return rows.map((row) => row.table_name);
}

describe('migrations slower than the application timeouts', () => {
  it('run to the end, and a second migrator waits for the lock instead of timing out', async () => {
    const testDb = await createTestDatabase();
    // Request-path timeouts far shorter than the migration: they must not apply to it.
    const config = { url: testDb.url, statementTimeoutMs: 500, queryTimeoutMs: 800 };
    const dbs = [createDatabase(config, {}), createDatabase(config, {})];
    const slow: MigrationDefinition = {
      name: '0001-slow',
      up: async ({ sequelize, transaction }) => {
        await sequelize.query('SELECT pg_sleep(1.5)', { transaction });
        await sequelize.query('CREATE TABLE slow_done (id int)', { transaction });
      },
      down: async ({ sequelize, transaction }) => {
        await sequelize.query('DROP TABLE slow_done', { transaction });
      },
    };
    try {
      const results = await Promise.all(dbs.map((db) => createMigrator(db, { migrations: [slow] }).up()));
      expect(results.flat()).toEqual(['0001-slow']); // applied once, by one of them
      expect(await createMigrator(dbs[0]!, { migrations: [slow] }).executed()).toEqual([...ALL, '0001-slow']);
      // The application's own queries keep the short timeout.
      await expect(dbs[0]!.sequelize.query('SELECT pg_sleep(1)')).rejects.toThrow();
    } finally {
      await Promise.all(dbs.map((db) => db.close()));
      await testDb.drop();
    }
  });

  it('gives up on the lock after lockTimeoutMs with a typed error', async () => {
    const testDb = await createTestDatabase();
    const db = createDatabase({ url: testDb.url }, {});
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let holding!: () => void;
    const lockTaken = new Promise<void>((resolve) => (holding = resolve));
    const holder: MigrationDefinition = {
      name: '0001-holder',
      // A migration runs holding the lock: once it has started, the lock is taken.
      up: async () => {
        holding();
        await held;
      },
      down: async () => {},
    };
    try {
      const first = createMigrator(db, { migrations: [holder] }).up();
      await lockTaken;
      // The lock is released only after this assertion: a migrator that did not give up would
      // wait here until the test times out.
      await expect(createMigrator(db, { migrations: [holder], lockTimeoutMs: 300 }).up()).rejects.toMatchObject({
        code: 'MIGRATION_LOCK_TIMEOUT',
      });
      release();
      expect(await first).toEqual(['0001-holder']);
    } finally {
      release();
      await db.close();
      await testDb.drop();
    }
  });
});
