import type { SqlMigration } from '../src/migrator/SqlMigration.js';
import { createUsers } from './0001-create-users.js';
import { createTasks } from './0002-create-tasks.js';
import { tasksRowLevelSecurity } from './0003-tasks-row-level-security.js';

/**
 * Every migration of the package, in order. An explicit list rather than a folder glob, so the
 * migrations are bundled into the build and found wherever the package is installed. A new
 * migration is a new file here and a new line below; a released one is never edited (its
 * checksum is recorded where it was applied, and `tests/migrations.frozen.test.ts` pins it).
 */
export const migrations: readonly SqlMigration[] = [createUsers, createTasks, tasksRowLevelSecurity];
