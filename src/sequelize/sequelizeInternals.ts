import type pg from 'pg';
import type { Transaction, TransactionOptions } from 'sequelize';
import type { Sequelize } from 'sequelize-typescript';

// The one place that reaches into Sequelize's undocumented members. `tests/internals.test.ts`
// checks each of them on the installed version, so an upgrade that removes one fails loudly.

/** The part of Sequelize's connection manager that its queries and transactions call. */
export interface ConnectionManagerHooks {
  getConnection(options?: { uuid?: string; type?: string }): Promise<pg.PoolClient>;
  releaseConnection(connection: pg.PoolClient): void;
  destroyConnection(connection: pg.PoolClient): Promise<void>;
  close(): Promise<void>;
}

/** Replaces how `sequelize` takes, gives back and closes connections. Returns its original `close`, which keeps `hooks.getConnection` in place. */
export function replaceConnectionManager(sequelize: Sequelize, hooks: ConnectionManagerHooks): () => Promise<void> {
  const manager = (sequelize as unknown as { connectionManager: ConnectionManagerHooks }).connectionManager;
  const originalClose = manager.close.bind(manager);
  manager.getConnection = hooks.getConnection;
  manager.releaseConnection = hooks.releaseConnection;
  manager.destroyConnection = hooks.destroyConnection;
  manager.close = hooks.close;
  return () => {
    // Sequelize's close() first swaps in a getConnection that throws a plain Error ("called after
    // the connection manager was closed"), before its first await: put ours back at once, so that
    // a model call on a closed handle is refused with DATABASE_CLOSED like every other call.
    const closing = originalClose();
    manager.getConnection = hooks.getConnection;
    return closing;
  };
}

interface TransactionInternals {
  connection: pg.ClientBase & { uuid?: string };
  finished?: 'commit' | 'rollback';
  _afterCommitHooks: ((transaction: Transaction) => unknown)[];
}

/** Makes `transaction` run its statements on `client`, a connection whose transaction tododb has begun. */
export function attachConnection(transaction: Transaction, client: pg.ClientBase): void {
  const internals = transaction as unknown as TransactionInternals;
  internals.connection = client;
  internals.connection.uuid = (transaction as unknown as { id: string }).id;
}

/** Marks `transaction` as ended, as its own commit() or rollback() would, and runs its afterCommit hooks after a commit. */
export async function finishTransaction(transaction: Transaction, outcome: 'commit' | 'rollback'): Promise<void> {
  const internals = transaction as unknown as TransactionInternals;
  internals.finished = outcome;
  internals.connection.uuid = undefined;
  if (outcome === 'commit') {
    for (const hook of internals._afterCommitHooks) await hook.call(transaction, transaction);
  }
}

interface OwnTransactionInternals extends TransactionInternals {
  sequelize: Sequelize;
  options: TransactionOptions;
  cleanup(): void;
  forceCleanup(): Promise<void>;
  prepareEnvironment(useCls?: boolean): Promise<void>;
}

/**
 * Makes the transactions that `sequelize.transaction()` starts (by hand, or inside
 * `findOrCreate`) report a failed COMMIT or ROLLBACK to `warn` instead of Sequelize's
 * `console.warn`, which would reach stderr with its transaction id and the server's message.
 * Otherwise they behave as Sequelize's: these are its `commit`, `rollback` and `transaction`,
 * with that one line changed.
 */
export function reportTransactionWarnings(
  sequelize: Sequelize,
  Base: typeof Transaction,
  warn: (message: string, error: unknown) => void,
): void {
  class ReportingTransaction extends Base {
    override async commit(): Promise<void> {
      const self = this as unknown as OwnTransactionInternals;
      if (self.finished) return super.commit(); // Sequelize's own refusal
      try {
        await self.sequelize.getQueryInterface().commitTransaction(this, self.options);
        self.cleanup();
      } catch (error) {
        warn('Committing a Sequelize transaction failed; its connection was closed, as its state is unknown', error);
        await self.forceCleanup();
        throw error;
      } finally {
        self.finished = 'commit';
        for (const hook of self._afterCommitHooks) await hook.call(this, this);
      }
    }

    override async rollback(): Promise<void> {
      const self = this as unknown as OwnTransactionInternals;
      if (self.finished || !self.connection) return super.rollback(); // Sequelize's own refusals
      try {
        await self.sequelize.getQueryInterface().rollbackTransaction(this, self.options);
        self.cleanup();
      } catch (error) {
        warn('Rolling back a Sequelize transaction failed; its connection was closed, as its state is unknown', error);
        await self.forceCleanup();
        throw error;
      }
    }
  }

  const clsRun = (sequelize.constructor as unknown as { _clsRun<T>(work: () => Promise<T>): Promise<T> })._clsRun.bind(
    sequelize.constructor,
  );
  async function transaction(
    options?: TransactionOptions | ((t: Transaction) => PromiseLike<unknown>),
    autoCallback?: (t: Transaction) => PromiseLike<unknown>,
  ) {
    if (typeof options === 'function') {
      autoCallback = options;
      options = undefined;
    }
    const started = new ReportingTransaction(sequelize, options as TransactionOptions);
    const internals = started as unknown as OwnTransactionInternals;
    if (!autoCallback) {
      await internals.prepareEnvironment(false);
      return started;
    }
    const callback = autoCallback;
    return clsRun(async () => {
      await internals.prepareEnvironment(true);
      let result: unknown;
      try {
        result = await callback(started);
      } catch (error) {
        try {
          await started.rollback();
        } catch {
          // The callback's error is the one to report.
        }
        throw error;
      }
      await started.commit();
      return result;
    });
  }
  Object.defineProperty(sequelize, 'transaction', { value: transaction, configurable: true, writable: true });
}

/** The members above, by name, for the test that guards them. */
export const SEQUELIZE_INTERNALS = [
  'connectionManager.getConnection',
  'connectionManager.releaseConnection',
  'connectionManager.destroyConnection',
  'connectionManager.close',
  'Transaction#connection',
  'Transaction#finished',
  'Transaction#_afterCommitHooks',
  'Transaction#cleanup',
  'Transaction#forceCleanup',
  'Transaction#prepareEnvironment',
  'Sequelize._clsRun',
] as const;
