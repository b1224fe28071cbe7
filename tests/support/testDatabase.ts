import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, inject } from 'vitest';
import type { Database, DatabaseConfig } from '../../src/index.js';
import { createTestDatabase as createKitDatabase, type TestDatabaseOptions } from '../../src/testing/index.js';
import { admin, withDatabase } from './globalSetup.js';

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

// What the migrated template of this checkout contains: tododb's migrations and the migrator
// that records them. The kit already tells templates apart by migration names; this also tells
// apart two checkouts (two engineers' branches on one server) whose migrations share names but
// not code, so neither clones the other's schema.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const TEMPLATE_KEY = (() => {
  const hash = createHash('sha256');
  for (const dir of ['migrations', 'src/migrator']) {
    for (const file of readdirSync(join(ROOT, dir)).sort()) hash.update(file).update(readFileSync(join(ROOT, dir, file)));
  }
  return hash.digest('hex');
})();

/** The kit's options for this test run: its server, this checkout's template, no environment. */
function kitOptions(config: Omit<DatabaseConfig, 'url'> = {}): TestDatabaseOptions {
  return { ...config, adminUrl: inject('serverUrl'), templateKey: TEMPLATE_KEY };
}

/**
 * Creates a database of its own for a test file or a test: a migrated one from the test kit
 * (`tododb/testing`), or an empty one with `{ migrated: false }`.
 */
export async function createTestDatabase(options: { migrated?: boolean } = {}): Promise<TestDatabase> {
  if (options.migrated !== false) {
    const t = await createKitDatabase(kitOptions(), {});
    return { name: t.name, url: t.url, drop: t.drop };
  }
  const serverUrl = inject('serverUrl');
  const name = `tododb_test_empty_${randomBytes(6).toString('hex')}`;
  await admin(serverUrl, (client) => client.query(`CREATE DATABASE ${name} TEMPLATE template0`));
  let dropping: Promise<void> | undefined;
  return {
    name,
    url: withDatabase(serverUrl, name),
    drop() {
      dropping ??= admin(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined);
      return dropping;
    },
  };
}

export { admin, withDatabase };

/**
 * Gives the calling test file (or describe block) a database of its own, created before its
 * tests and dropped after them: a migrated one, or an empty one with `{ migrated: false }`.
 * Its `name` and `url` can be read inside tests and hooks.
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
 * Gives the calling test file a migrated database of its own and a tododb handle on it (the
 * kit's `t.db`, with `config`), created before its tests and closed and dropped after them.
 * Read `.db` inside tests and hooks.
 */
export function useTestDatabase(config: Omit<DatabaseConfig, 'url'> = {}): { readonly db: Database; readonly testDb: TestDatabase } {
  let t: Awaited<ReturnType<typeof createKitDatabase>> | undefined;
  beforeAll(async () => {
    t = await createKitDatabase(kitOptions(config), {});
  });
  afterAll(async () => {
    await t?.drop();
  });
  const current = (): NonNullable<typeof t> => {
    if (!t) throw new Error('useTestDatabase: the database exists only inside tests and hooks');
    return t;
  };
  return {
    get db() {
      return current().db;
    },
    testDb: {
      get name() {
        return current().name;
      },
      get url() {
        return current().url;
      },
      drop: () => current().drop(),
    },
  };
}
