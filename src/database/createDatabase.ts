import type { Transaction as SequelizeTransaction } from 'sequelize';
import type { Sequelize } from 'sequelize-typescript';
import { resolveConfig, type DatabaseConfig, type Env, type ResolvedConfig } from '../config/resolveConfig.js';
import { closedError, Connections, type PoolStats } from '../connection/Connections.js';
import type { TransactionScope } from '../connection/TransactionScope.js';
import { uuidv7 } from '../ids/uuidv7.js';
import type { Models } from '../models/defineModels.js';
import { dbAttributes } from '../observability/dbAttributes.js';
import { PoolMetrics, type AcquireStats } from '../observability/PoolMetrics.js';
import { traceQuery, traceTaskService, traceUserService } from '../observability/traceServiceCalls.js';
import { createOrm, type Orm } from '../sequelize/createOrm.js';
import { createTaskService } from '../services/createTaskService.js';
import { createUserService } from '../services/createUserService.js';
import type { TaskService, UserService } from '../services/records.js';
import { statementsFor } from '../services/statements.js';
import { createReadYourWrites, type ReadYourWrites } from './ReadYourWrites.js';
import { runTransaction, type TransactionOptions } from './runTransaction.js';

export type { Models };

/** What a `db.transaction()` callback receives: the service layer and the models, on the transaction's connection. */
export interface DatabaseTransaction {
  /** `db.users`, in this transaction. */
  readonly users: UserService;
  /** `db.tasks`, in this transaction. */
  readonly tasks: TaskService;
  /** The handle's models; pass `{ transaction: tx.transaction }` to their calls (calls without it join the transaction too). */
  readonly models: Models;
  /** The Sequelize `Transaction` of this transaction, for model calls. Loads Sequelize on first use. */
  readonly transaction: SequelizeTransaction;
}

/** `db.stats()`: the pool's counts now, and how long callers have waited for a connection so far. */
export type DatabaseStats = PoolStats & AcquireStats;

/** What `createDatabase()` returns. */
export interface Database {
  /** `User` and `Task`, bound to this database only. Sequelize is loaded on first use. */
  readonly models: Models;
  /** The Sequelize instance underneath the models. Loaded on first use; it draws its connections from this handle's pool. */
  readonly sequelize: Sequelize;
  /** Users: create, get, get by email, delete. Plain records, typed errors, one round trip each. */
  readonly users: UserService;
  /** Tasks, always scoped to their owner: another user's task is never read or written. */
  readonly tasks: TaskService;
  /** Where this database points, safe to log: `postgres://user:***@host:5432/db`. */
  readonly target: string;
  /** The PostgreSQL schema that holds tododb's tables. */
  readonly schema: string;
  /**
   * Runs `work` in one transaction on one connection: it commits when `work` resolves (and
   * returns its value) and rolls back and rethrows when it throws. `db.users`, `db.tasks` and
   * model calls made inside `work` join the transaction; a nested `db.transaction()` is a
   * savepoint.
   *
   * @example
   * ```ts
   * const task = await db.transaction(async (tx) => {
   *   const user = await tx.users.create({ email: 'ada@example.com' });
   *   await tx.models.Task.count({ where: { userId: user.id }, transaction: tx.transaction });
   *   return tx.tasks.create(user.id, { title: 'First' });
   * }, { isolationLevel: 'serializable', retries: 3 }); // re-run up to 3 times on a serialization failure
   * ```
   */
  transaction<T>(work: (tx: DatabaseTransaction) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /**
   * Read-your-writes tokens, to carry a user's writes from one process to another when reads go
   * to `replicaUrls` (within one process it is automatic). See {@link ReadYourWrites}.
   */
  readonly readYourWrites: ReadYourWrites;
  /**
   * Counts of this handle's pool right now (connections in use and idle, callers waiting, the
   * maximum; with replicas, each replica's too), and running figures of the waits for a
   * connection since the handle was made.
   */
  stats(): DatabaseStats;
  /** Ends the pool once the connections in use come back. Safe to call more than once; every call after it rejects with code `DATABASE_CLOSED`. */
  close(): Promise<void>;
}

interface Internals {
  connections: Connections;
  orm(): Orm;
}

// Shared by every copy of tododb in the process (Symbol.for), never enumerable: an application
// that both imports and requires tododb may make a handle with one copy and migrate it with the other.
const INTERNALS = Symbol.for('tododb.databaseInternals');

function internalsOf(db: Database): Internals {
  const internals = typeof db === 'object' && db !== null ? (db as unknown as Record<symbol, Internals | undefined>)[INTERNALS] : undefined;
  if (!internals) throw new TypeError('Expected a database created by createDatabase()');
  return internals;
}

/** The connection layer of a database made by {@link createDatabase}; internal to tododb. */
export function connectionsOf(db: Database): Connections {
  return internalsOf(db).connections;
}

/** The Sequelize side of a database made by {@link createDatabase}, made on first use; internal to tododb. */
export function ormOf(db: Database): Orm {
  return internalsOf(db).orm();
}

/** The resolved config of a database made by {@link createDatabase}; internal to tododb. */
export function configOf(db: Database): ResolvedConfig {
  return connectionsOf(db).config;
}

/**
 * Creates a database handle: a pool of connections, the service layer on it, and `User` and
 * `Task` models of its own. It returns at once and connects on first use; a bad config throws a
 * {@link ConfigError} naming the field. Sequelize is loaded only when `models` or `sequelize` is
 * first used.
 *
 * @example
 * ```ts
 * import { createDatabase } from 'tododb';
 *
 * const db = createDatabase({ url: process.env.DATABASE_URL, pool: { max: 10 } }); // or createDatabase(): DATABASE_* variables
 * const user = await db.users.create({ email: 'ada@example.com' });
 * const task = await db.tasks.create(user.id, { title: 'Write the docs' });
 * const page = await db.tasks.list(user.id, { limit: 20 });
 * console.log(task.id, page.items.length, page.nextCursor);
 * await db.close();
 * ```
 */
export function createDatabase(config?: DatabaseConfig, env: Env = process.env): Database {
  const connections = new Connections(resolveConfig(config, env));
  const statements = statementsFor(connections.config.schema);
  let orm: Orm | undefined;
  const useOrm = (): Orm => {
    orm ??= createOrm(connections);
    return orm;
  };
  const query = traceQuery(connections.query.bind(connections));
  // A span per service call, when a tracer provider is registered (src/observability).
  const spanAttributes = dbAttributes(connections.config);
  // Acquire times, and OpenTelemetry's pool metrics when a meter provider is registered.
  const poolMetrics = new PoolMetrics(connections.config, () => connections.stats());
  connections.onAcquire = (waitMs) => poolMetrics.recordAcquire(waitMs);

  const transactionOf = (scope: TransactionScope): DatabaseTransaction => {
    const scoped = traceQuery(scope.query.bind(scope));
    return {
      users: traceUserService(createUserService(scoped, statements, uuidv7), spanAttributes),
      tasks: traceTaskService(createTaskService(scoped, statements, uuidv7), spanAttributes),
      get models() {
        return useOrm().models;
      },
      get transaction() {
        return useOrm().transactionFor(scope);
      },
    };
  };

  const db: Database = {
    get models() {
      return useOrm().models;
    },
    get sequelize() {
      return useOrm().sequelize;
    },
    users: traceUserService(createUserService(query, statements, uuidv7), spanAttributes),
    tasks: traceTaskService(createTaskService(query, statements, uuidv7), spanAttributes),
    target: connections.config.connection.redacted,
    schema: connections.config.schema,
    transaction(work, options) {
      // A nested one inside a transaction that was running when close() was called is part of
      // that transaction, which close() lets finish: only new transactions are refused.
      if (connections.closed && !connections.currentScope()) return Promise.reject(closedError());
      return runTransaction(connections, (scope) => work(transactionOf(scope)), options);
    },
    readYourWrites: createReadYourWrites(connections),
    stats: () => ({ ...connections.stats(), ...poolMetrics.figures() }),
    async close() {
      poolMetrics.close();
      await connections.close();
      await orm?.close();
    },
  };
  Object.defineProperty(db, INTERNALS, { value: { connections, orm: useOrm } satisfies Internals });
  return db;
}
