// The `schema` option: tododb in a schema of its own, next to a service's own `public.users`.
import { describe, expect, it } from 'vitest';
import { migrations } from '../migrations/index.js';
import { checkHealth, ConfigError, createDatabase, createMigrator, type MigrationDefinition } from '../src/index.js';
import { relationsIn, tableSnapshot, tablesIn, withClient } from './support/catalog.js';
import { databaseForTest } from './support/databaseForTest.js';
import { createForeignUsers } from './support/foreignTables.js';

/** Every migration tododb ships, in order. */
const ALL = migrations.map((migration) => migration.name);

describe("tododb in schema 'app' next to the service's own public.users", () => {
  it('up creates the schema and its tables there; services, models, transactions and checkHealth work there; public is untouched', async () => {
    const { url, db, open } = await databaseForTest({ config: { schema: 'app' } });
    await createForeignUsers(url);
    const publicUsers = await tableSnapshot(url, 'public', 'users');
    const publicRelations = await relationsIn(url, 'public');
    const seen: string[] = [];
    const tags: MigrationDefinition = {
      name: '20260101-tags',
      up: async ({ query, schema }) => {
        seen.push(schema);
        await query(`CREATE TABLE "${schema}".tags (id int PRIMARY KEY)`);
      },
    };

    expect(await createMigrator(db, { migrations: [tags] }).up()).toEqual([...ALL, tags.name]);
    expect(seen).toEqual(['app']);
    expect(await tablesIn(url, 'app')).toEqual(['tags', 'tasks', 'tododb_migrations', 'users']);
    expect(db.schema).toBe('app');

    const user = await db.users.create({ email: 'Ada@Example.com' });
    const task = await db.tasks.create(user.id, { title: 'In app' });
    await db.transaction(async (tx) => {
      await tx.tasks.update(user.id, task.id, { isCompleted: true });
    });
    expect(await db.models.Task.count({ where: { userId: user.id, isCompleted: true } })).toBe(1);
    const viaModel = await db.models.User.create({ email: 'grace@example.com' });
    expect((await db.users.get(viaModel.id)).email).toBe('grace@example.com');
    expect(await countRows(url, 'app.users')).toBe(2);
    expect(await countRows(url, 'app.tasks')).toBe(1);

    const health = await checkHealth(db);
    expect(health).toMatchObject({ status: 'ok', migrations: { applied: ALL.length, pending: 0 } });
    // A handle on the default schema of the same database finds no tododb there.
    expect(await checkHealth(open())).toMatchObject({ status: 'error', migrations: { applied: 0, pending: ALL.length } });

    expect(await tableSnapshot(url, 'public', 'users')).toEqual(publicUsers);
    expect(await relationsIn(url, 'public')).toEqual(publicRelations);
  });

  it('down --to 0 drops app.users and app.tasks, never public.users', async () => {
    const { url, db } = await databaseForTest({ config: { schema: 'app' } });
    await createForeignUsers(url);
    const publicUsers = await tableSnapshot(url, 'public', 'users');
    const migrator = createMigrator(db);
    await migrator.up();
    await db.users.create({ email: 'ada@example.com' });

    expect(await migrator.down({ to: 0 })).toEqual([...ALL].reverse());
    expect(await tablesIn(url, 'app')).toEqual(['tododb_migrations']);
    expect(await tableSnapshot(url, 'public', 'users')).toEqual(publicUsers);
  });

  it('keeps two schemas of one database apart: each has its own tables and its own migration record', async () => {
    const { url, db, open } = await databaseForTest({ config: { schema: 'tenant_a' } });
    const other = open({ schema: 'tenant_b' });
    await createMigrator(db).up();
    expect(await createMigrator(other).pending()).toEqual(ALL);
    await createMigrator(other).up();
    await db.users.create({ email: 'only-in-a@example.com' });
    expect(await countRows(url, 'tenant_a.users')).toBe(1);
    expect(await countRows(url, 'tenant_b.users')).toBe(0);
    // Back to 0001 in tenant_b only: down to 0002 reverts it and everything after it, newest first.
    expect(await createMigrator(other).down({ to: '0002-create-tasks' })).toEqual(ALL.slice(1).reverse());
    expect(await tablesIn(url, 'tenant_a')).toEqual(['tasks', 'tododb_migrations', 'users']);
    expect(await tablesIn(url, 'tenant_b')).toEqual(['tododb_migrations', 'users']);
  });
});

describe('a schema name that is not a plain lower-case identifier', () => {
  const BAD = ['App', '1app', 'pg_app', 'app-data', 'app data', 'app"; DROP TABLE users; --', 'x'.repeat(64), 'é', ''];

  it.each(BAD)('%j is a ConfigError on field `schema` that does not print the value', (schema) => {
    const error = catchError(() => createDatabase({ url: 'postgres://postgres:s3cret@127.0.0.1:5432/db', schema }, {}));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ code: 'CONFIG_INVALID', field: 'schema' });
    if (schema !== '') expect((error as Error).message).not.toContain(schema);
    expect((error as Error).message).not.toContain('s3cret');
  });

  it('is a ConfigError on field DATABASE_SCHEMA when it comes from the environment', () => {
    const error = catchError(() => createDatabase({ url: 'postgres://postgres@127.0.0.1:5432/db' }, { DATABASE_SCHEMA: 'Tenant-A' }));
    expect(error).toMatchObject({ code: 'CONFIG_INVALID', field: 'DATABASE_SCHEMA' });
    expect((error as Error).message).not.toContain('Tenant-A');
  });

  it('is not a string: a ConfigError on `schema` too', () => {
    expect(
      catchError(() => createDatabase({ url: 'postgres://postgres@127.0.0.1:5432/db', schema: 42 as unknown as string }, {})),
    ).toMatchObject({
      field: 'schema',
    });
  });

  it('DATABASE_SCHEMA is read, and the option wins over it', () => {
    const url = 'postgres://postgres@127.0.0.1:5432/db';
    expect(createDatabase({ url }, { DATABASE_SCHEMA: 'from_env' }).schema).toBe('from_env');
    expect(createDatabase({ url, schema: 'from_option' }, { DATABASE_SCHEMA: 'from_env' }).schema).toBe('from_option');
    expect(createDatabase({ url }, {}).schema).toBe('public');
  });
});

function catchError(work: () => unknown): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

async function countRows(url: string, table: string): Promise<number> {
  return withClient(url, async (client) => Number((await client.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n));
}
