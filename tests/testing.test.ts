// The test kit, `tododb/testing`, on the source: what a user of createTestDatabase() sees, and
// the template protocol that makes it safe from many processes at once.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, inject, it, vi } from 'vitest';
import { migrations } from '../migrations/index.js';
import { checkHealth, ConfigError, createMigrator, DatabaseUnavailableError, TododbError, type MigrationDefinition } from '../src/index.js';
import { createTestDatabase, type TestDatabase, type TestDatabaseOptions } from '../src/testing/index.js';
import { createAdminServer } from '../src/testing/AdminServer.js';
import { dropDatabaseOn } from '../src/testing/dropDatabase.js';
import { PROBE_DATABASE, probeMigrationNames } from '../src/testing/probeMigrationNames.js';
import { templateIdentity } from '../src/testing/templateName.js';
import { freePort } from './support/embeddedPostgres.js';
import { admin, TEMPLATE_KEY, withDatabase } from './support/testDatabase.js';

const ALL_MIGRATIONS = migrations.map((migration) => migration.name);
const serverUrl = inject('serverUrl');

// Every test database and every template a test made for itself, dropped at the end.
const made: TestDatabase[] = [];
const madeTemplates: string[] = [];
afterAll(async () => {
  await Promise.all(made.map((t) => t.drop()));
  await admin(serverUrl, async (client) => {
    for (const name of madeTemplates) await dropDatabaseOn(client, name);
  });
});

/**
 * createTestDatabase() on the test server, with no environment, and this checkout's template
 * unless the test says otherwise; dropped after the file.
 */
async function create(options: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const t = await createTestDatabase({ adminUrl: serverUrl, templateKey: TEMPLATE_KEY, ...options }, {});
  made.push(t);
  return t;
}

/** A template key of this test alone, so that it builds a template of its own (dropped at the end). */
async function freshTemplateKey(migrations?: MigrationDefinition[]): Promise<string> {
  const templateKey = `test-${randomBytes(8).toString('hex')}`;
  // The name the kit derives, from the migration names it finds on the server.
  const migrationNames = await probeMigrationNames(createAdminServer({ url: serverUrl, source: 'adminUrl' }, {}, {}), {}, migrations, {});
  madeTemplates.push(templateIdentity({ migrationNames, userMigrations: migrations ?? [], schema: undefined, templateKey }).name);
  return templateKey;
}

async function databases(prefix: string): Promise<{ datname: string; datistemplate: boolean; datallowconn: boolean }[]> {
  return admin(serverUrl, async (client) => {
    const { rows } = await client.query(
      'SELECT datname, datistemplate, datallowconn FROM pg_database WHERE starts_with(datname, $1) ORDER BY datname',
      [prefix],
    );
    return rows;
  });
}

async function tables(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ tablename: string }>(
      `SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`,
    );
    return rows.map((row) => row.tablename);
  } finally {
    await client.end();
  }
}

describe('createTestDatabase()', () => {
  it('gives a new, migrated, empty database of its own and a handle on it', async () => {
    const t = await create();
    expect(t.name).toMatch(/^tododb_test_[0-9a-f]{16}$/);
    expect(new URL(t.url).pathname).toBe(`/${t.name}`);
    expect(await createMigrator(t.db).executed()).toEqual(ALL_MIGRATIONS);
    expect(await t.db.models.User.count()).toBe(0);

    const user = await t.db.users.create({ email: 'kit@example.com' });
    const task = await t.db.tasks.create(user.id, { title: 'Written through t.db' });
    expect((await t.db.tasks.get(user.id, task.id)).title).toBe('Written through t.db');
    expect((await checkHealth(t.db)).status).toBe('ok');
  });

  it('gives calls in parallel databases of their own: a row written in one is in no other', async () => {
    const all = await Promise.all([create(), create(), create(), create()]);
    expect(new Set(all.map((t) => t.name)).size).toBe(4);

    await all[0]!.db.users.create({ email: 'only-in-the-first@example.com' });
    expect(await Promise.all(all.map((t) => t.db.models.User.count()))).toEqual([1, 0, 0, 0]);
  });

  it('clones one template that accepts no connections, and leaves nothing connected to it', async () => {
    const all = await Promise.all([create(), create(), create()]);
    const template = all[0]!.template;
    expect(all.map((t) => t.template)).toEqual([template, template, template]);
    expect(template).toMatch(/^tododb_test_tpl_[0-9a-f]{24}$/);
    // Its own name only (a build's temporary database would start with it too).
    expect(await databases(template)).toEqual([{ datname: template, datistemplate: true, datallowconn: false }]);

    const connected = await admin(serverUrl, async (client) => {
      const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [template]);
      return rows[0]!.n;
    });
    expect(connected).toBe(0);
  });

  it("passes the other options to createDatabase() for t.db, whose logger sees t.db's SQL only", async () => {
    const statements: string[] = [];
    // A template of its own, so that this call migrates one: none of that SQL is t.db's.
    const t = await create({ pool: { max: 1 }, logging: (sql) => statements.push(sql), templateKey: await freshTemplateKey() });
    expect(statements).toEqual([]);
    await t.db.users.create({ email: 'logged@example.com' });
    expect(statements.some((sql) => sql.includes('INSERT INTO') && sql.includes('users'))).toBe(true);
    expect((await checkHealth(t.db)).pool).toMatchObject({ max: 1 });
  });

  describe('drop()', () => {
    it('closes t.db and drops the database, ending another session on it, and is safe to call twice', async () => {
      const t = await createTestDatabase({ adminUrl: serverUrl, templateKey: TEMPLATE_KEY }, {});
      await t.db.users.create({ email: 'dropped@example.com' });
      const other = new pg.Client({ connectionString: t.url });
      other.on('error', () => {});
      await other.connect();

      await Promise.all([t.drop(), t.drop()]);
      await expect(t.drop()).resolves.toBeUndefined();

      expect(await databases(t.name)).toEqual([]);
      await expect(other.query('SELECT 1')).rejects.toThrow();
      // The handle is closed (a DATABASE_CLOSED error once the connection layer names it so).
      await expect(t.db.users.create({ email: 'after@example.com' })).rejects.toBeInstanceOf(TododbError);
      await other.end().catch(() => {});
    });
  });

  describe('the admin URL', () => {
    it('is the option, else TEST_DATABASE_URL, else DATABASE_URL', async () => {
      const options = { templateKey: TEMPLATE_KEY };
      const fromTestVariable = await createTestDatabase(options, {
        TEST_DATABASE_URL: serverUrl,
        DATABASE_URL: 'postgres://nobody@127.0.0.1:1/nothing',
      });
      made.push(fromTestVariable);
      const fromDatabaseUrl = await createTestDatabase(options, { DATABASE_URL: serverUrl, TEST_DATABASE_URL: '' });
      made.push(fromDatabaseUrl);
      const fromOption = await createTestDatabase({ ...options, adminUrl: serverUrl }, { TEST_DATABASE_URL: 'not a url' });
      made.push(fromOption);
      for (const t of [fromTestVariable, fromDatabaseUrl, fromOption]) {
        expect(await t.db.models.User.count()).toBe(0);
      }
    });

    it('is required: a ConfigError on adminUrl names the three places it looked', async () => {
      const error = await createTestDatabase({}, {}).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect(error).toMatchObject({ code: 'CONFIG_INVALID', field: 'adminUrl' });
      for (const place of ['adminUrl', 'TEST_DATABASE_URL', 'DATABASE_URL']) expect((error as Error).message).toContain(place);
    });

    it('that is not a postgres URL is a ConfigError on adminUrl naming its source, never the URL', async () => {
      const error = await createTestDatabase({}, { TEST_DATABASE_URL: 'mysql://ada:s3cret-pw@db.example.com/app' }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ConfigError);
      expect(error).toMatchObject({ field: 'adminUrl' });
      expect((error as Error).message).toContain('TEST_DATABASE_URL');
      expect((error as Error).message).not.toMatch(/s3cret|ada|db\.example\.com|mysql:\/\//);
      expect((error as Error).cause).toBeInstanceOf(ConfigError);
    });

    it('whose server is down gives a DatabaseUnavailableError without the password', async () => {
      const url = `postgres://postgres:s3cret-pw@127.0.0.1:${await freePort()}/postgres`;
      const error = await createTestDatabase({ adminUrl: url }, {}).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DatabaseUnavailableError);
      expect(`${(error as Error).message} ${JSON.stringify(error)}`).not.toContain('s3cret');
    });
  });

  it('refuses a bad option with a ConfigError naming it, before creating anything', async () => {
    await expect(create({ pool: { max: 0 } })).rejects.toMatchObject({ name: 'ConfigError', field: 'pool.max' });
    await expect(create({ migrations: 'all' as never })).rejects.toMatchObject({ name: 'ConfigError', field: 'migrations' });
    await expect(create({ migrations: [{ name: 'x' }] as never })).rejects.toMatchObject({ name: 'ConfigError', field: 'migrations[0]' });
    await expect(create({ templateKey: 1 as never })).rejects.toMatchObject({ name: 'ConfigError', field: 'templateKey' });
  });

  describe("the application's migrations", () => {
    const addTags: MigrationDefinition = {
      name: '9001-add-tags',
      up: async ({ queryInterface, transaction }) => {
        await queryInterface.sequelize.query('CREATE TABLE tags (id serial PRIMARY KEY, label text NOT NULL)', { transaction });
      },
      down: async ({ queryInterface, transaction }) => {
        await queryInterface.sequelize.query('DROP TABLE tags', { transaction });
      },
    };
    // The same migration, edited during development: another table under the same name.
    const addTagsEdited: MigrationDefinition = {
      name: '9001-add-tags',
      up: async ({ queryInterface, transaction }) => {
        await queryInterface.sequelize.query('CREATE TABLE labels (id serial PRIMARY KEY, label text NOT NULL)', { transaction });
      },
      down: async ({ queryInterface, transaction }) => {
        await queryInterface.sequelize.query('DROP TABLE labels', { transaction });
      },
    };

    it('are applied to each test database', async () => {
      const t = await create({ migrations: [addTags] });
      expect(await tables(t.url)).toContain('tags');
      expect(await createMigrator(t.db, { migrations: [addTags] }).executed()).toContain('9001-add-tags');
    });

    it('give a new template when the body of one changes under the same name', async () => {
      const before = await create({ migrations: [addTags] });
      const after = await create({ migrations: [addTagsEdited] });
      expect(await tables(before.url)).toContain('tags');
      expect(await tables(after.url)).toEqual(expect.arrayContaining(['labels']));
      expect(await tables(after.url)).not.toContain('tags');
    });
  });

  describe('from several processes at once', () => {
    /** createTestDatabase() from a fresh copy of the kit's modules: its own cache, as in another process. */
    async function anotherProcess(): Promise<typeof createTestDatabase> {
      vi.resetModules();
      return (await import('../src/testing/index.js')).createTestDatabase;
    }

    it('builds a missing template once: every caller gets a migrated database, nothing is left over', async () => {
      const templateKey = await freshTemplateKey();
      const template = madeTemplates.at(-1)!;
      const kits = [await anotherProcess(), await anotherProcess(), await anotherProcess(), await anotherProcess()];
      expect(new Set(kits).size).toBe(4);

      const all = await Promise.all(
        kits.map(async (kit) => {
          const t = await kit({ adminUrl: serverUrl, templateKey }, {});
          made.push(t);
          return t;
        }),
      );

      for (const t of all) {
        expect(t.template).toBe(template);
        expect(await createMigrator(t.db).executed()).toEqual(ALL_MIGRATIONS);
      }
      // The one template, complete, and no database of a build in progress.
      expect(await databases(template)).toEqual([{ datname: template, datistemplate: true, datallowconn: false }]);
    });

    it('drops what a build that died half-way left behind', async () => {
      const templateKey = await freshTemplateKey();
      const template = madeTemplates.at(-1)!;
      // What a builder killed after marking its database a template, before renaming it.
      const leftover = `${template}_deadbeef`;
      await admin(serverUrl, async (client) => {
        await client.query(`CREATE DATABASE "${leftover}" TEMPLATE template0`);
        await client.query(`ALTER DATABASE "${leftover}" WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`);
      });
      madeTemplates.push(leftover);

      const t = await create({ templateKey });
      expect(await createMigrator(t.db).executed()).toEqual(ALL_MIGRATIONS);
      expect(await databases(template)).toEqual([{ datname: template, datistemplate: true, datallowconn: false }]);
    });

    it('rebuilds a template that was dropped since this process found it', async () => {
      const templateKey = await freshTemplateKey();
      const template = madeTemplates.at(-1)!;
      await create({ templateKey });
      await admin(serverUrl, async (client) => {
        await client.query(`ALTER DATABASE "${template}" WITH IS_TEMPLATE false`);
        await client.query(`DROP DATABASE "${template}"`);
      });

      const t = await create({ templateKey });
      expect(await createMigrator(t.db).executed()).toEqual(ALL_MIGRATIONS);
      expect(await databases(template)).toHaveLength(1);
    });
  });

  it('keeps one empty probe database that it never migrates', async () => {
    await create();
    expect(await databases(PROBE_DATABASE)).toEqual([{ datname: PROBE_DATABASE, datistemplate: false, datallowconn: true }]);
    expect(await tables(withDatabase(serverUrl, PROBE_DATABASE))).toEqual([]);
  });

  it('reports a failing migration as the migrator does, and leaves no database behind', async () => {
    const broken: MigrationDefinition = {
      name: '9002-broken',
      up: async ({ queryInterface, transaction }) => {
        await queryInterface.sequelize.query('SELECT * FROM no_such_table', { transaction });
      },
      down: async () => {},
    };
    const templateKey = await freshTemplateKey([broken]);
    const template = madeTemplates.at(-1)!;
    const error = await create({ templateKey, migrations: [broken] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TododbError);
    expect(error).toMatchObject({ name: 'MigrationError', migration: '9002-broken' });
    // Neither the template nor the temporary database it was being built in.
    expect(await databases(template)).toEqual([]);
  });
});
