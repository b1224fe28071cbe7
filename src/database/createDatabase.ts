import { Sequelize, type SequelizeOptions } from 'sequelize-typescript';
import { resolveConfig, type DatabaseConfig, type Env, type ResolvedConfig } from '../config/resolveConfig.js';
import { Task } from '../models/Task.js';
import { User } from '../models/User.js';
import { uuidv7 } from '../ids/uuidv7.js';
import { createTaskService } from '../services/createTaskService.js';
import { createUserService } from '../services/createUserService.js';
import type { TaskService, UserService } from '../services/records.js';
import { createPgModule } from './pgModule.js';
import { createQueryRunner } from './createQueryRunner.js';

/** The models of one database, bound to it alone. */
export interface Models {
  User: typeof User;
  Task: typeof Task;
}

/** What `createDatabase()` returns. */
export interface Database {
  /** `User` and `Task`, bound to this database only. */
  readonly models: Models;
  /** The Sequelize instance underneath. */
  readonly sequelize: Sequelize;
  /** Users: create, get, get by email, delete. Plain records, typed errors, one round trip each. */
  readonly users: UserService;
  /** Tasks, always scoped to their owner: another user's task is never read or written. */
  readonly tasks: TaskService;
  /** Where this database points, safe to log: `postgres://user:***@host:5432/db`. */
  readonly target: string;
  /** Ends the pool. Safe to call more than once. */
  close(): Promise<void>;
}

const configs = new WeakMap<Database, ResolvedConfig>();

/** The resolved config of a database made by {@link createDatabase}; internal to tododb. */
export function configOf(db: Database): ResolvedConfig {
  const config = configs.get(db);
  if (!config) throw new TypeError('Expected a database created by createDatabase()');
  return config;
}

/**
 * Creates a database handle: a Sequelize instance with its own pool and its own bound
 * `User` and `Task` models. It returns at once and connects on first use; a bad config
 * throws a {@link ConfigError} naming the field.
 *
 * @example
 * ```ts
 * const db = createDatabase({ url: process.env.DATABASE_URL, pool: { max: 10 } });
 * const user = await db.models.User.create({ email: 'ada@example.com' });
 * await db.close();
 * ```
 */
export function createDatabase(config?: DatabaseConfig, env: Env = process.env): Database {
  return openDatabase(resolveConfig(config, env));
}

/** Builds a database handle from an already resolved config; internal to tododb (the migrator opens its own this way). */
export function openDatabase(resolved: ResolvedConfig): Database {
  const logging = resolved.logging;

  const sequelize = new Sequelize({
    dialect: 'postgres',
    dialectModule: createPgModule(resolved),
    host: resolved.connection.host,
    port: resolved.connection.port,
    database: resolved.connection.database,
    username: resolved.connection.user,
    // The password reaches pg through createPgModule only: Sequelize keeps its config in
    // enumerable fields that a careless log line could print.
    password: undefined,
    repositoryMode: true,
    models: [User, Task],
    logging: logging === false ? false : (sql: string, timing?: number) => logging(sql, timing),
    benchmark: logging !== false,
    pool: {
      max: resolved.pool.max,
      min: resolved.pool.min,
      idle: resolved.pool.idleMs,
      acquire: resolved.pool.acquireTimeoutMs,
      evict: Math.min(1_000, resolved.pool.idleMs),
    },
    // Sequelize would otherwise send `SET client_min_messages` and `SET TIME ZONE` on each new
    // connection: a round trip per connection, and session state that PgBouncer in transaction
    // mode does not keep. Columns are timestamptz, so the session time zone does not matter.
    dialectOptions: { clientMinMessages: 'ignore' },
    // Without a version Sequelize opens an extra connection before the first query to ask the
    // server for it: a slower cold start for nothing, as tododb needs no version-specific SQL.
    databaseVersion: '14.0.0',
    keepDefaultTimezone: true, // read by Sequelize's postgres dialect, missing from its types
    define: { underscored: true },
  } as SequelizeOptions);

  const query = createQueryRunner(sequelize, logging);
  let closing: Promise<void> | undefined;
  const db: Database = {
    models: { User: sequelize.getRepository(User), Task: sequelize.getRepository(Task) },
    sequelize,
    users: createUserService(query, uuidv7),
    tasks: createTaskService(query, uuidv7),
    target: resolved.connection.redacted,
    close() {
      closing ??= sequelize.close();
      return closing;
    },
  };
  configs.set(db, resolved);
  return db;
}
