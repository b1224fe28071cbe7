import type pg from 'pg';
import { transactionFinishedError, type TododbError, type TransactionError } from '../errors/errors.js';
import type { Statement } from './Statement.js';

/** How the connection layer runs a statement of the service layer, and ad-hoc SQL, on a connection. */
export interface Runners {
  statement<Row extends pg.QueryResultRow>(
    client: pg.ClientBase,
    statement: Statement,
    values: readonly unknown[],
  ): Promise<pg.QueryResult<Row>>;
  text(client: pg.ClientBase, text: string, values: readonly unknown[]): Promise<pg.QueryResult>;
  /** The typed error for a failure on `client`. */
  failure(client: pg.ClientBase, error: unknown): TododbError;
  /** With row-level security: the statement that sets the acting user; undefined without. */
  actingUserSql: string | undefined;
}

/** How a transaction (or a savepoint in it) ended. */
export type TransactionOutcome = 'commit' | 'rollback';

/**
 * One transaction on one connection, or a savepoint nested in one. Statements sent through it run
 * one after another in the order they were sent (pg would queue them too, but statements sent while
 * one is still running are deprecated there), and are refused once it has ended.
 */
export class TransactionScope {
  /** Set when the transaction or savepoint has ended; statements are refused from then on. */
  outcome: TransactionOutcome | undefined;
  /** The savepoint running inside this scope, if any: only one at a time can be meaningful. */
  child: TransactionScope | undefined;
  /** The user row-level security policies see, as last set in this transaction. */
  actingUser: string | undefined;
  /** Users whose rows service statements of this transaction wrote: their reads wait for its commit on replicas. */
  readonly writers = new Set<string>();
  /** Called once when the outermost transaction has ended: Sequelize's afterCommit hooks, say. */
  readonly onEnd: ((outcome: TransactionOutcome) => Promise<void> | void)[] = [];
  // Savepoints share their transaction's connection, so they share one queue with it.
  private readonly queue: { tail: Promise<unknown> };

  constructor(
    readonly client: pg.ClientBase,
    private readonly run: Runners,
    readonly parent?: TransactionScope,
  ) {
    this.queue = parent ? parent.queue : { tail: Promise.resolve() };
  }

  /** The outermost transaction of this scope. */
  get root(): TransactionScope {
    return this.parent ? this.parent.root : this;
  }

  /** How deeply this scope is nested: 0 for a transaction, 1 for its first savepoint, … */
  get depth(): number {
    return this.parent ? this.parent.depth + 1 : 0;
  }

  /**
   * Runs a statement of the service layer in this transaction. With row-level security, the
   * acting user is set first whenever it changes (`SET LOCAL` semantics: until the transaction ends).
   */
  query<Row extends pg.QueryResultRow>(
    statement: Statement,
    values: readonly unknown[],
    actingUser?: string,
  ): Promise<pg.QueryResult<Row>> {
    const refusal = this.refusal();
    if (refusal) return Promise.reject(refusal);
    const root = this.root;
    if (statement.kind === 'write' && actingUser !== undefined) root.writers.add(actingUser);
    if (actingUser !== undefined) void this.actAs(actingUser);
    const result = this.enqueue(() => this.run.statement<Row>(this.client, statement, values));
    return result.catch((error: unknown) => {
      throw this.run.failure(this.client, error);
    });
  }

  /** Runs ad-hoc SQL (the migrator's) in this transaction; errors come back as pg raised them. */
  execute(text: string, values: readonly unknown[] = []): Promise<pg.QueryResult> {
    const refusal = this.refusal();
    if (refusal) return Promise.reject(refusal);
    return this.enqueue(() => this.run.text(this.client, text, values));
  }

  /**
   * With row-level security, makes `user` the acting user of this transaction from here on (until
   * another call acts for someone else): model calls and raw SQL in it then see that user's rows.
   * Without row-level security it does nothing.
   */
  actAs(user: string): Promise<void> {
    const root = this.root;
    const sql = this.run.actingUserSql;
    if (sql === undefined || root.actingUser === user) return Promise.resolve();
    root.actingUser = user;
    // Queued: a statement sent after this runs after it. Its failure shows on that statement too
    // (the transaction is aborted), so callers that do not wait for it lose nothing.
    const set = this.enqueue(() => this.run.text(this.client, sql, [user])).then(() => undefined);
    set.catch(() => {});
    return set;
  }

  /** Queues work behind every statement already sent through this transaction (and its savepoints). */
  enqueue<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.tail.then(work);
    this.queue.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /** Resolves once every statement sent so far has been answered. */
  settled(): Promise<unknown> {
    return this.queue.tail;
  }

  /** Why a statement would be refused now, or undefined. */
  refusal(): TransactionError | undefined {
    for (let scope: TransactionScope | undefined = this; scope; scope = scope.parent) {
      if (scope.outcome) return transactionFinishedError(scope.outcome);
    }
    return undefined;
  }
}
