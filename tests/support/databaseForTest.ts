import { onTestFinished } from 'vitest';
import { createDatabase, type Database, type DatabaseConfig } from '../../src/index.js';
import { createTestDatabase } from './testDatabase.js';

/** A database of the calling test's own, and handles on it that are closed when the test ends. */
export interface DatabaseForTest {
  url: string;
  /** A handle with `config` (default schema unless it says otherwise). */
  db: Database;
  /** Another handle on the same database, closed with the test too. */
  open(config?: Omit<DatabaseConfig, 'url'>): Database;
}

/**
 * Creates a database for the calling test alone — empty unless `migrated: true` — and drops it
 * when the test ends, so that one test's migrations never leak into another's.
 */
export async function databaseForTest(
  options: { migrated?: boolean; config?: Omit<DatabaseConfig, 'url'> } = {},
): Promise<DatabaseForTest> {
  const testDb = await createTestDatabase({ migrated: options.migrated ?? false });
  const handles: Database[] = [];
  onTestFinished(async () => {
    await Promise.all(handles.map((handle) => handle.close()));
    await testDb.drop();
  });
  const open = (config: Omit<DatabaseConfig, 'url'> = {}): Database => {
    const handle = createDatabase({ ...config, url: testDb.url }, {});
    handles.push(handle);
    return handle;
  };
  return { url: testDb.url, db: open(options.config), open };
}
