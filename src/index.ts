// The public surface of tododb: everything a user may import is named here.
export { createDatabase } from './database/createDatabase.js';
export type { Database, DatabaseTransaction, Models } from './database/createDatabase.js';
export type { TransactionOptions } from './database/runTransaction.js';
export type { IsolationLevel, PoolStats } from './connection/Connections.js';
export type { DriverName } from './config/resolveDriver.js';
export type { DatabaseStats } from './database/createDatabase.js';
export type { AcquireStats } from './observability/PoolMetrics.js';
export type { LoggingHooks, QueryEvent, QueryEventError, WarningEvent } from './observability/LoggingHooks.js';
export type { DatabaseConfig, SqlLogger, Env } from './config/resolveConfig.js';
export { checkHealth } from './health/checkHealth.js';
export type { HealthReport, CheckHealthOptions, ReplicaHealth } from './health/HealthReport.js';
export type { ReadYourWrites } from './database/ReadYourWrites.js';
export type { ReplicaStats } from './connection/Replica.js';
export type { BreakerState } from './connection/CircuitBreaker.js';
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
export type { MigrationStatus } from './migrator/planMigrations.js';
export { loadMigrations } from './migrator/loadMigrations.js';
export { createMigrationFile } from './migrator/createMigrationFile.js';
export type { MigrationSource } from './migrator/knownMigrations.js';
export type { MigrationContext, MigrationDefinition } from './migrator/MigrationContext.js';
export type { User, UserAttributes, UserCreationAttributes } from './models/User.js';
export type { Task, TaskAttributes, TaskCreationAttributes } from './models/Task.js';
export { LIMITS } from './models/rules.js';
export { grantApplicationRole } from './roles/grantApplicationRole.js';
export type { ApplicationRoleGrant } from './roles/grantApplicationRole.js';
export {
  TododbError,
  ConfigError,
  ValidationError,
  NotFoundError,
  ConflictError,
  DatabaseUnavailableError,
  QueryTimeoutError,
  MigrationError,
  TransactionError,
  SerializationFailureError,
  RoleError,
} from './errors/errors.js';
export { TODODB_ERROR_CODES } from './errors/errors.js';
export type { FieldIssue, RoleRefusal, TododbErrorCode } from './errors/errors.js';
export { translateError } from './errors/translateError.js';
