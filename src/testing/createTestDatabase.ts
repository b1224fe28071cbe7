import {
  ConfigError,
  TododbError,
  createDatabase,
  createMigrator,
  type Database,
  type DatabaseConfig,
  type Env,
  type MigrationDefinition,
} from 'tododb';
import { createAdminServer, type AdminServer } from './AdminServer.js';
import { cloneDatabase } from './cloneDatabase.js';
import { dropDatabase } from './dropDatabase.js';
import { ensureTemplate } from './ensureTemplate.js';
import { probeMigrationNames } from './probeMigrationNames.js';
import { resolveAdminUrl } from './resolveAdminUrl.js';
import { templateIdentity } from './templateName.js';

/** What {@link createTestDatabase} accepts: its own options, and `createDatabase()`'s for `t.db`. */
export interface TestDatabaseOptions extends Omit<DatabaseConfig, 'url'> {
  /**
   * A URL on the server to create test databases on, for a role that may create databases
   * (a superuser, or `CREATEDB`). Default: `TEST_DATABASE_URL`, else `DATABASE_URL`. Only its
   * database name is replaced in `t.url`; it must be a direct connection, not PgBouncer.
   */
  adminUrl?: string;
  /** The application's own migrations, applied with `createMigrator(db, { migrations })`. */
  migrations?: readonly MigrationDefinition[];
  /** The PostgreSQL schema for tododb's tables, passed to `createDatabase()`. */
  schema?: string;
  /**
   * Extra input to the template's identity. The template is rebuilt when a migration is added
   * or the body of one of `migrations` changes; pass, say, a hash of your migration files to
   * also rebuild it when code they call changes.
   */
  templateKey?: string;
}

/** A database of its own for a test, made by {@link createTestDatabase}. */
export interface TestDatabase {
  /** A tododb handle on the database, with the options given to `createTestDatabase()`. */
  readonly db: Database;
  /** The database's URL: the admin URL with the database name replaced (so it holds its password). */
  readonly url: string;
  /** The database's name, `tododb_test_` and 16 hex digits. */
  readonly name: string;
  /** The template it was cloned from, `tododb_test_tpl_` and a hash of what it holds; kept for later runs. */
  readonly template: string;
  /** Closes `db` and drops the database, ending any other session on it. Safe to call twice. */
  drop(): Promise<void>;
}

// The template of each (server, inputs) pair, found or built once per process.
const templates = new Map<string, Promise<string>>();

/**
 * Creates a new, migrated, empty database for a test and a tododb handle on it.
 *
 * The first call migrates a template database (once per server and set of migrations, shared
 * by every process and kept for later runs); each call clones it, which takes a fraction of a
 * second. Calls may run in parallel, from any number of processes.
 *
 * @example
 * ```ts
 * import { afterEach, beforeEach, expect, it } from 'vitest';
 * import { createTestDatabase, type TestDatabase } from 'tododb/testing';
 *
 * let t: TestDatabase;
 * beforeEach(async () => { t = await createTestDatabase(); }); // TEST_DATABASE_URL
 * afterEach(() => t.drop());
 *
 * it('creates a user', async () => {
 *   const user = await t.db.users.create({ email: 'ada@example.com' });
 *   expect(user.email).toBe('ada@example.com');
 * });
 * ```
 *
 * @param options - Where to make the database, the application's migrations, and `createDatabase()`'s options for `t.db`.
 * @param env - Where `TEST_DATABASE_URL`, `DATABASE_URL` and `createDatabase()`'s other settings
 *   are read; default `process.env`.
 * @throws `ConfigError` on `adminUrl` when no admin URL is set or it is not a postgres URL;
 *   on the field of any other bad option.
 */
export async function createTestDatabase(options: TestDatabaseOptions = {}, env: Env = process.env): Promise<TestDatabase> {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ConfigError('options', 'Expected the options to be an object');
  }
  const { adminUrl, migrations, schema, templateKey, ...handleOptions } = options;
  checkMigrations(migrations);
  if (templateKey !== undefined && typeof templateKey !== 'string') {
    throw new ConfigError('templateKey', 'Expected `templateKey` to be a string');
  }
  // `schema` reaches createDatabase() only when given (the cast: DatabaseConfig may not name it yet).
  const databaseOptions = (schema === undefined ? handleOptions : { ...handleOptions, schema }) as Omit<DatabaseConfig, 'url'>;
  const admin = createAdminServer(resolveAdminUrl(adminUrl, env), databaseOptions, env);
  // The kit's own connections (the probe, the template's migrations) connect as t.db does, but
  // the application's logger is for the application's SQL: it sees t.db's statements only.
  const kitOptions = { ...databaseOptions, logging: false as const };

  const key = JSON.stringify([admin.address, schema, templateKey, (migrations ?? []).map((m) => [m.name, String(m.up), String(m.down)])]);
  const template = (): Promise<string> => {
    let found = templates.get(key);
    if (!found) {
      const finding = findOrBuildTemplate(admin, kitOptions, migrations, schema, templateKey, env);
      templates.set(key, finding);
      // A failure is not cached: the next call tries again.
      finding.catch(() => {
        if (templates.get(key) === finding) templates.delete(key);
      });
      found = finding;
    }
    return found;
  };

  let templateName = await template();
  let name = await cloneDatabase(admin, templateName);
  if (name === undefined) {
    // The template was dropped since this process found it: build it again, once.
    templates.delete(key);
    templateName = await template();
    name = await cloneDatabase(admin, templateName);
    if (name === undefined)
      throw new TododbError('TEST_DATABASE_FAILED', 'Could not create a test database: its template was dropped while it was being cloned');
  }

  const url = admin.databaseUrl(name);
  let db: Database;
  try {
    db = createDatabase({ ...databaseOptions, url }, env);
  } catch (error) {
    await dropDatabase(admin, name);
    throw error;
  }
  let dropping: Promise<void> | undefined;
  const dropName = name;
  return {
    db,
    url,
    name,
    template: templateName,
    drop() {
      dropping ??= db.close().then(() => dropDatabase(admin, dropName));
      return dropping;
    },
  };
}

async function findOrBuildTemplate(
  admin: AdminServer,
  databaseOptions: Omit<DatabaseConfig, 'url'>,
  migrations: readonly MigrationDefinition[] | undefined,
  schema: string | undefined,
  templateKey: string | undefined,
  env: Env,
): Promise<string> {
  const migrationNames = await probeMigrationNames(admin, databaseOptions, migrations, env);
  const template = templateIdentity({ migrationNames, userMigrations: migrations ?? [], schema, templateKey });
  await ensureTemplate(admin, template, async (url) => {
    const db = createDatabase({ ...databaseOptions, url }, env);
    try {
      await createMigrator(db, migrations === undefined ? {} : { migrations }).up();
    } finally {
      await db.close();
    }
  });
  return template.name;
}

// Only what the template's identity needs; createMigrator() judges the migrations themselves.
function checkMigrations(migrations: unknown): asserts migrations is readonly MigrationDefinition[] | undefined {
  if (migrations === undefined) return;
  if (!Array.isArray(migrations)) {
    throw new ConfigError('migrations', 'Expected `migrations` to be an array of { name, up, down }');
  }
  migrations.forEach((migration: unknown, index) => {
    const candidate = migration as Partial<MigrationDefinition> | null;
    if (typeof candidate?.name !== 'string' || typeof candidate.up !== 'function' || typeof candidate.down !== 'function') {
      throw new ConfigError(
        `migrations[${index}]`,
        `Expected \`migrations[${index}]\` to be { name: string, up: function, down: function }`,
      );
    }
  });
}
