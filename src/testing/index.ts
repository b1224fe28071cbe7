// `tododb/testing`: the test kit. A separate entry point, so that `import 'tododb'` in a
// service never loads it. It uses tododb through its public API only, imported by package
// name: the build keeps that import, so `t.db` comes from the same copy of tododb as the
// application's own `import 'tododb'` (and `createMigrator(t.db)` or `checkHealth(t.db)` work).
export { createTestDatabase } from './createTestDatabase.js';
export type { TestDatabase, TestDatabaseOptions } from './createTestDatabase.js';
