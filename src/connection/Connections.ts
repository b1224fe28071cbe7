import { AsyncLocalStorage } from 'node:async_hooks';
import type pg from 'pg';
import type { ResolvedConfig, SqlLogger } from '../config/resolveConfig.js';
import { DatabaseUnavailableError, QueryTimeoutError, TododbError, TransactionError } from '../errors/errors.js';
import { QueryWatchdog } from './QueryWatchdog.js';
import { translateConnectError, translateError } from '../errors/translateError.js';
import { ACTING_USER_SETTING } from '../schema/names.js';
import { createPool } from './createPool.js';
import { PoolAdmission } from './PoolAdmission.js';
import { isQueryable } from './pgInternals.js';
import type { ReplicaStats } from './Replica.js';
import { ReplicaSet } from './ReplicaSet.js';
import { runCommand, runStatement, runText } from './runStatement.js';
import type { Statement } from './Statement.js';
import { TransactionScope, type Runners } from './TransactionScope.js';

/** The three isolation levels PostgreSQL really has (READ UNCOMMITTED behaves as READ COMMITTED). */
export type IsolationLevel = 'read committed' | 'repeatable read' | 'serializable';

/** Counts of one handle's pool. */
export interface PoolStats {
  /** The most connections the pool opens (`pool.max`). */
  max: number;
  /** Connections checked out: running a query or held by a transaction. */
  inUse: number;
  /** Connections open and free. */
  idle: number;
  /** Callers waiting for a connection. */
  waiting: number;
  /** With read replicas: each replica's pool, breaker and reads served, in the order of `replicaUrls`. */
  replicas?: ReplicaStats[];
}

/** Sets the acting user of row-level security policies until the end of the transaction. */
export const SET_ACTING_USER = `SELECT set_config('${ACTING_USER_SETTING}', $1, true)`;

const BEGIN: Record<IsolationLevel, string> = {
  'read committed': 'BEGIN ISOLATION LEVEL READ COMMITTED',
  'repeatable read': 'BEGIN ISOLATION LEVEL REPEATABLE READ',
  serializable: 'BEGIN ISOLATION LEVEL SERIALIZABLE',
};

/**
 * The connection layer of one database handle: the one pool of connections to the primary that
 * everything of the handle draws from — the service layer, transactions, Sequelize's models and
 * the migrator — so that a handle never holds more than `pool.max` connections.
 *
 * It decides, in one place, how a statement runs: on the transaction of the current async
 * context if there is one (so that a `db.users` call inside `db.transaction()` joins it instead
 * of committing on its own), as a named prepared statement where that is safe, and with every
 * connection setting and timeout applied.
 */
export class Connections {
  private readonly pool: pg.Pool;
  /** With `replicaUrls`: where reads of the service layer may go instead of the primary. */
  readonly replicas: ReplicaSet | undefined;
  private readonly admission: PoolAdmission;
  private readonly prepared: boolean;
  private readonly logging: false | SqlLogger;
  private readonly scopes = new AsyncLocalStorage<TransactionScope>();
  private readonly inTransaction = new WeakSet<pg.ClientBase>();
  private closing: Promise<void> | undefined;
  private readonly closeHooks: (() => void)[] = [];
  private readonly watchdog: QueryWatchdog;
  /** Told how long each caller waited for its connection: the pool metrics (src/observability). */
  onAcquire: ((waitMs: number) => void) | undefined;

  constructor(readonly config: ResolvedConfig) {
    this.prepared = config.preparedStatements;
    this.logging = config.logging;
    this.pool = createPool(config);
    this.watchdog = new QueryWatchdog(config.queryTimeoutMs);
    this.replicas = config.replicas.length > 0 ? new ReplicaSet(config, this.watchdog) : undefined;
    this.admission = new PoolAdmission(config.pool);
  }

  /** Whether `close()` has been called. */
  get closed(): boolean {
    return this.closing !== undefined;
  }

  /** The transaction of the current async context, if one is running. */
  currentScope(): TransactionScope | undefined {
    return this.scopes.getStore();
  }

  /**
   * Runs one statement of the service layer: in the current transaction when there is one,
   * otherwise on a pooled connection taken for it alone.
   *
   * Measured and left as it is: the same path in callbacks from the checkout to the release,
   * with one promise for the caller, fewer objects per call, made the collector's share of a list
   * call at 32 callers 9–12 % instead of 2.4–3.1 % (each variant in a process of its own, five
   * runs each), and cost more CPU.
   */
  async query<Row extends pg.QueryResultRow>(
    statement: Statement,
    values: readonly unknown[],
    actingUser?: string,
  ): Promise<pg.QueryResult<Row>> {
    const scope = this.scopes.getStore();
    if (scope) return scope.query<Row>(statement, values, actingUser);
    // Outside a transaction a user's read may go to a replica that has replayed that user's writes.
    const replicas = this.closing || actingUser === undefined ? undefined : this.replicas;
    if (replicas && statement.kind === 'read') {
      const served = await replicas.read(actingUser!, (client) => this.runFor<Row>(client, statement, values, actingUser));
      if (served) return served.value;
    }
    const client = await this.acquire();
    let failure: unknown;
    try {
      const result = await this.runFor<Row>(client, statement, values, actingUser);
      // Committed (autocommit): the user's next reads wait for this position.
      if (replicas && statement.kind === 'write') await replicas.wrote([actingUser!], client);
      return result;
    } catch (error) {
      failure = error;
      if (replicas && statement.kind === 'write') replicas.writeFailed(actingUser!, error);
      throw this.failure(client, error);
    } finally {
      this.release(client, failure);
    }
  }

  /** Runs ad-hoc SQL (the migrator's reads) in the current transaction or on a pooled connection; errors are translated. */
  async execute(text: string, values: readonly unknown[] = []): Promise<pg.QueryResult> {
    const scope = this.scopes.getStore();
    if (scope) return scope.execute(text, values).catch((error: unknown) => Promise.reject(this.failure(scope.client, error)));
    const client = await this.acquire();
    let failure: unknown;
    try {
      return await this.runText(client, text, values);
    } catch (error) {
      failure = error;
      throw this.failure(client, error);
    } finally {
      this.release(client, failure);
    }
  }

  /** Takes a connection from the pool; give it back with {@link release}. */
  async acquire(): Promise<pg.PoolClient> {
    if (this.closing) throw closedError();
    let client: pg.PoolClient;
    const started = performance.now();
    try {
      // Under a latency fault the queue only grows: a caller that cannot be served within the
      // acquire timeout fails at once instead of waiting it out (see PoolAdmission).
      client = await this.admission.acquire((callback) => this.pool.connect(callback));
    } catch (error) {
      throw this.closing ? closedError() : acquireError(error);
    }
    try {
      this.onAcquire?.(performance.now() - started);
    } catch {
      // A metrics hook that throws (an application's meter) must not keep the connection.
    }
    this.watchdog.watch(client);
    return client;
  }

  /**
   * Gives a connection back. One that failed, or whose state is unknown after `error`, is closed
   * instead of being handed to the next caller.
   */
  release(client: pg.PoolClient, error?: unknown): void {
    if (this.inTransaction.has(client)) return;
    this.watchdog.unwatch(client);
    const broken = !isQueryable(client) || (client as { _invalid?: boolean })._invalid === true;
    this.admission.returned(client, !broken);
    client.release(broken ? (error instanceof Error ? error : new Error('connection is broken')) : undefined);
  }

  /** Closes a connection instead of giving it back: its state is unknown. */
  discard(client: pg.PoolClient, error: unknown): void {
    this.inTransaction.delete(client);
    this.watchdog.unwatch(client);
    this.admission.returned(client, false);
    client.release(error instanceof Error ? error : new Error(String(error)));
  }

  /** Whether `client` belongs to a transaction that is still running. */
  isInTransaction(client: pg.ClientBase): boolean {
    return this.inTransaction.has(client);
  }

  /**
   * Runs `work` in a transaction: BEGIN, `work`, COMMIT, or ROLLBACK when it throws. Inside a
   * running transaction it becomes a savepoint of it. `work` runs in an async context that
   * carries the transaction, so statements sent through {@link query} join it.
   */
  async transaction<T>(work: (scope: TransactionScope) => Promise<T>, isolationLevel: IsolationLevel | undefined): Promise<T> {
    const outer = this.scopes.getStore();
    if (outer) {
      if (isolationLevel !== undefined) {
        throw new TransactionError(
          'TRANSACTION_MISUSE',
          'A nested db.transaction() runs as a savepoint of the outer one and cannot set its own isolationLevel',
        );
      }
      return this.savepoint(outer, work);
    }
    const client = await this.acquire();
    try {
      await runCommand(client, BEGIN[isolationLevel ?? 'read committed']);
    } catch (error) {
      this.discard(client, error);
      throw this.failure(client, error);
    }
    this.inTransaction.add(client);
    const scope = new TransactionScope(client, this.runners);
    let result: T;
    try {
      result = await this.scopes.run(scope, () => work(scope));
      await scope.settled();
    } catch (error) {
      scope.outcome = 'rollback';
      this.inTransaction.delete(client);
      try {
        await runCommand(client, 'ROLLBACK');
        this.release(client);
      } catch (rollbackError) {
        // The connection died, or is in a state nobody knows: it never goes back to the pool.
        this.discard(client, rollbackError);
      }
      await runEndHooks(scope, 'rollback');
      throw error;
    }
    scope.outcome = 'commit';
    this.inTransaction.delete(client);
    let committed: pg.QueryResult;
    try {
      committed = await runCommand(client, 'COMMIT');
    } catch (error) {
      // Committed or not, nobody knows (the connection failed during COMMIT): drop it.
      this.discard(client, error);
      throw this.failure(client, error);
    }
    if (this.replicas && committed.command === 'COMMIT' && scope.writers.size > 0) await this.replicas.wrote(scope.writers, client);
    this.release(client);
    if (committed.command === 'ROLLBACK') {
      // PostgreSQL answers COMMIT with ROLLBACK when a statement of the transaction failed and
      // the callback caught that error and carried on: nothing was committed.
      scope.outcome = 'rollback';
      await runEndHooks(scope, 'rollback');
      throw new TransactionError(
        'TRANSACTION_ABORTED',
        'The transaction was rolled back, not committed: a statement in it failed and its error was caught inside the callback',
      );
    }
    await runEndHooks(scope, 'commit');
    return result;
  }

  private async savepoint<T>(outer: TransactionScope, work: (scope: TransactionScope) => Promise<T>): Promise<T> {
    const refusal = outer.refusal();
    if (refusal) throw refusal;
    if (outer.child) {
      throw new TransactionError(
        'TRANSACTION_MISUSE',
        'Another nested db.transaction() is still running in this transaction: run nested transactions one after another',
      );
    }
    const scope = new TransactionScope(outer.client, this.runners, outer);
    const name = `tododb_savepoint_${scope.depth}`;
    const command = (text: string) =>
      outer
        .enqueue(() => runCommand(outer.client, text))
        .catch((error: unknown) => {
          throw this.failure(outer.client, error);
        });
    // Claimed before the first await: a second nested call started in the same tick (two
    // db.transaction() in one Promise.all) must find it taken, not run beside it.
    outer.child = scope;
    // ROLLBACK TO SAVEPOINT restores app.user_id as it was here (set_config is transactional), so
    // the scope's record of the acting user must go back with it, or the next call would skip setting it.
    const actingUser = outer.root.actingUser;
    try {
      await command(`SAVEPOINT ${name}`);
    } catch (error) {
      outer.child = undefined;
      throw error;
    }
    try {
      const result = await this.scopes.run(scope, () => work(scope));
      await scope.settled();
      scope.outcome = 'commit';
      await command(`RELEASE SAVEPOINT ${name}`);
      return result;
    } catch (error) {
      scope.outcome = 'rollback';
      // A failure here leaves the outer transaction aborted; it reports that itself.
      await command(`ROLLBACK TO SAVEPOINT ${name}`).catch(() => {});
      outer.root.actingUser = actingUser;
      throw error;
    } finally {
      outer.child = undefined;
    }
  }

  /** Counts of the pool, for health reports and metrics. */
  stats(): PoolStats {
    const { totalCount, idleCount } = this.pool;
    const stats: PoolStats = { max: this.config.pool.max, inUse: totalCount - idleCount, idle: idleCount, waiting: this.admission.waiting };
    if (this.replicas) stats.replicas = this.replicas.stats();
    return stats;
  }

  /** Ends the pool once every connection in use has come back. Safe to call more than once. */
  close(): Promise<void> {
    if (!this.closing) {
      for (const hook of this.closeHooks) hook();
      this.closing = Promise.all([this.pool.end(), this.replicas?.close()]).then(() => undefined);
      // pg-pool's end() never answers the callers in its queue: they are told now, not after their timeout.
      this.admission.rejectAll(closedError);
    }
    return this.closing;
  }

  /** Runs `hook` when the handle closes: what else a handle holds (the health probe's connection) goes with it. */
  onClose(hook: () => void): void {
    this.closeHooks.push(hook);
  }

  /**
   * One statement as `user`, for row-level security: BEGIN, set the acting user for this
   * transaction only, the statement, COMMIT — pipelined, so one round trip. Correct whatever plan
   * the server picks, and nothing outlives the transaction on a pooled (or PgBouncer) connection.
   */
  private async runAsUser<Row extends pg.QueryResultRow>(
    client: pg.ClientBase,
    statement: Statement,
    values: readonly unknown[],
    user: string,
  ): Promise<pg.QueryResult<Row>> {
    const sent = [
      runCommand(client, 'BEGIN'),
      this.runText(client, SET_ACTING_USER, [user]),
      this.run<Row>(client, statement, values),
      runCommand(client, 'COMMIT'),
    ] as const;
    const settled = await Promise.allSettled(sent);
    const failed = settled.find((outcome) => outcome.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    return (settled[2] as PromiseFulfilledResult<pg.QueryResult<Row>>).value;
  }

  // A service statement on `client`, as `actingUser` with row-level security.
  private runFor<Row extends pg.QueryResultRow>(
    client: pg.ClientBase,
    statement: Statement,
    values: readonly unknown[],
    actingUser: string | undefined,
  ): Promise<pg.QueryResult<Row>> {
    if (this.config.rowLevelSecurity && actingUser !== undefined) return this.runAsUser<Row>(client, statement, values, actingUser);
    return this.run<Row>(client, statement, values);
  }

  private run<Row extends pg.QueryResultRow>(
    client: pg.ClientBase,
    statement: Statement,
    values: readonly unknown[],
  ): Promise<pg.QueryResult<Row>> {
    if (!this.logging) return runStatement<Row>(client, statement, values, this.prepared);
    return logged(this.logging, statement.text, runStatement<Row>(client, statement, values, this.prepared));
  }

  private runText(client: pg.ClientBase, text: string, values: readonly unknown[]): Promise<pg.QueryResult> {
    if (!this.logging) return runText(client, text, values);
    return logged(this.logging, text, runText(client, text, values));
  }

  /** The typed error for a failure on `client`: a timeout when the watchdog closed it, else translated. */
  failure(client: pg.ClientBase, error: unknown): TododbError {
    if (this.watchdog.hasTimedOut(client)) {
      const limit = this.config.queryTimeoutMs;
      return new QueryTimeoutError(`The database did not answer within ${limit} ms (queryTimeoutMs): the connection was closed`, {
        cause: error,
      });
    }
    return translateError(error);
  }

  /** Replaces the client-side bound on `client`'s queries until the returned function is called (the migrator waits longer). */
  overrideQueryTimeout(client: pg.ClientBase, limitMs: number | undefined): () => void {
    return this.watchdog.override(client, limitMs);
  }

  // What transaction scopes run statements with: the same paths, logging included.
  private readonly runners: Runners = {
    failure: (client, error) => this.failure(client, error),
    statement: (client, statement, values) => this.run(client, statement, values),
    text: (client, text, values) => this.runText(client, text, values),
    actingUserSql: this.config.rowLevelSecurity ? SET_ACTING_USER : undefined,
  };
}

async function logged<T>(logging: SqlLogger, text: string, running: Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await running;
  } finally {
    logging(text, performance.now() - started);
  }
}

async function runEndHooks(scope: TransactionScope, outcome: 'commit' | 'rollback'): Promise<void> {
  for (const hook of scope.onEnd) await hook(outcome);
}

/** What every call on a closed handle rejects with. */
export function closedError(): TododbError {
  return new TododbError('DATABASE_CLOSED', 'The database handle is closed: db.close() was called');
}

function acquireError(error: unknown): TododbError {
  if (error instanceof Error && error.message === 'timeout exceeded when trying to connect') {
    return new DatabaseUnavailableError('The database is unavailable: timed out waiting for a free connection in the pool', {
      cause: error,
    });
  }
  return translateConnectError(error);
}
