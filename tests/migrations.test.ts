import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, createMigrator, type Database } from '../src/index.js';
import { createTestDatabase, type TestDatabase } from './support/testDatabase.js';

const ALL = ['0001-create-users', '0002-create-tasks'];

describe('migrations on an empty database', () => {
  let testDb: TestDatabase;
  let db: Database;

  beforeAll(async () => {
    testDb = await createTestDatabase({ migrated: false });
    db = createDatabase({ url: testDb.url }, {});
  });
  afterAll(async () => {
    await db.close();
    await testDb.drop();
  });

  it('goes up from empty, down to zero and up again', async () => {
    const migrator = createMigrator(db);
    expect(await migrator.pending()).toEqual(ALL);
    expect(await migrator.executed()).toEqual([]);

    expect(await migrator.up()).toEqual(ALL);
    expect(await migrator.executed()).toEqual(ALL);
    expect(await migrator.pending()).toEqual([]);
    expect(await migrator.up()).toEqual([]);

    expect(await migrator.down()).toEqual(['0002-create-tasks']);
    expect(await tables(db)).toEqual(['tododb_migrations', 'users']);

    expect(await migrator.down({ to: 0 })).toEqual(['0001-create-users']);
    expect(await tables(db)).toEqual(['tododb_migrations']);
    expect(await migrator.executed()).toEqual([]);

    expect(await migrator.up({ to: '0001-create-users' })).toEqual(['0001-create-users']);
    expect(await migrator.up()).toEqual(['0002-create-tasks']);
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
