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
 * Gives the calling test file a migrated database of its own and a tododb handle on it,
 * created before its tests and dropped after them. Read `.db` inside tests and hooks.
 */
export function useTestDatabase(config: Omit<DatabaseConfig, 'url'> = {}): { readonly db: Database; readonly testDb: TestDatabase } {
  let testDb: TestDatabase | undefined;
  let db: Database | undefined;
  beforeAll(async () => {
    testDb = await createTestDatabase();
    db = createDatabase({ ...config, url: testDb.url }, {});
  });
  afterAll(async () => {
    await db?.close();
    await testDb?.drop();
  });
  return {
    get db() {
      if (!db) throw new Error('useTestDatabase: the database exists only inside tests and hooks');
      return db;
    },
    get testDb() {
      if (!testDb) throw new Error('useTestDatabase: the database exists only inside tests and hooks');
      return testDb;
    },
  };
}
