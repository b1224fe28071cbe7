import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, inject } from 'vitest';
import { createDatabase, type Database, type DatabaseConfig } from '../../src/index.js';
import { admin, withDatabase } from './globalSetup.js';

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/**
 * Creates a database of its own for a test file or a test: a copy of the migrated template,
 * or an empty one with `{ migrated: false }`.
 */
export async function createTestDatabase(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  const serverUrl = inject('serverUrl');
  const name = `${inject('databasePrefix')}${randomBytes(6).toString('hex')}`;
  const template = options.migrated === false ? 'template0' : inject('templateDatabase');
  await admin(serverUrl, (client) => client.query(`CREATE DATABASE ${name} TEMPLATE ${template}`));
  return {
    name,
    url: withDatabase(serverUrl, name),
    drop: () => admin(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

export { admin, withDatabase };

/**
 * Gives the calling test file (or describe block) a database of its own, created before its
 * tests and dropped after them: a copy of the migrated template, or an empty one with
 * `{ migrated: false }`. Its `name` and `url` can be read inside tests and hooks.
 */
export function useDatabaseCopy(options: { migrated?: boolean } = {}): TestDatabase {
  let testDb: TestDatabase | undefined;
  beforeAll(async () => {
    testDb = await createTestDatabase(options);
  });
  afterAll(async () => {
    await testDb?.drop();
  });
  const current = (): TestDatabase => {
    if (!testDb) throw new Error('useDatabaseCopy: the database exists only inside tests and hooks');
    return testDb;
  };
  return {
    get name() {
      return current().name;
    },
    get url() {
      return current().url;
    },
    drop: () => current().drop(),
  };
}

/**
 * Gives the calling test file a migrated database of its own and a tododb handle on it,
 * created before its tests and closed and dropped after them. Read `.db` inside tests and hooks.
 */
export function useTestDatabase(config: Omit<DatabaseConfig, 'url'> = {}): { readonly db: Database; readonly testDb: TestDatabase } {
  const testDb = useDatabaseCopy();
  let db: Database | undefined;
  beforeAll(() => {
    db = createDatabase({ ...config, url: testDb.url }, {});
  });
  afterAll(async () => {
    await db?.close();
  });
  return {
    get db() {
      if (!db) throw new Error('useTestDatabase: the database exists only inside tests and hooks');
      return db;
    },
    testDb,
  };
}
