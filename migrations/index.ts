import type { MigrationDefinition } from '../src/migrator/MigrationContext.js';
import * as createUsers from './0001-create-users.js';
import * as createTasks from './0002-create-tasks.js';

/**
 * Every migration of the package, in order. An explicit list rather than a folder glob, so
 * the migrations are bundled into the build and found wherever the package is installed.
 * A new migration is a new file here and a new line below; a released one is never edited.
 */
export const migrations: readonly MigrationDefinition[] = [
  { name: '0001-create-users', ...createUsers },
  { name: '0002-create-tasks', ...createTasks },
];
