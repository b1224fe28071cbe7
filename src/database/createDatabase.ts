import { Sequelize, type SequelizeOptions } from 'sequelize-typescript';
import { resolveConfig, type DatabaseConfig, type Env, type ResolvedConfig } from '../config/resolveConfig.js';
import { Task } from '../models/Task.js';
import { User } from '../models/User.js';
import { createPgModule } from './pgModule.js';

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
  const resolved = resolveConfig(config, env);
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
    keepDefaultTimezone: true, // read by Sequelize's postgres dialect, missing from its types
    define: { underscored: true },
  } as SequelizeOptions);

  let closing: Promise<void> | undefined;
  const db: Database = {
    models: { User: sequelize.getRepository(User), Task: sequelize.getRepository(Task) },
    sequelize,
    target: resolved.connection.redacted,
    close() {
      closing ??= sequelize.close();
      return closing;
    },
  };
  configs.set(db, resolved);
  return db;
}
