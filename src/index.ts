// The public surface of tododb: everything a user may import is named here.
export { createDatabase } from './database/createDatabase.js';
export type { Database, Models } from './database/createDatabase.js';
export { resolveConfig } from './config/resolveConfig.js';
export type { DatabaseConfig, ResolvedConfig, SqlLogger, Env } from './config/resolveConfig.js';
export { redactUrl } from './config/parseDatabaseUrl.js';
export { checkHealth } from './health/checkHealth.js';
export type { HealthReport, CheckHealthOptions } from './health/HealthReport.js';
export type {
  UserService,
  TaskService,
  UserRecord,
  TaskRecord,
  NewUser,
  NewTask,
  TaskChanges,
  ListTasksOptions,
  TaskPage,
} from './services/records.js';
export { createMigrator } from './migrator/createMigrator.js';
export type { Migrator, MigratorOptions, MigrationEvent } from './migrator/createMigrator.js';
export type { MigrationContext, MigrationDefinition } from './migrator/MigrationContext.js';
export { User } from './models/User.js';
export { Task } from './models/Task.js';
export { LIMITS } from './models/rules.js';
export {
  TododbError,
  ConfigError,
  ValidationError,
  NotFoundError,
  ConflictError,
  DatabaseUnavailableError,
  QueryTimeoutError,
  MigrationError,
} from './errors/errors.js';
export type { FieldIssue } from './errors/errors.js';
export { translateError } from './errors/translateError.js';
