import type pg from 'pg';
import type { Transaction } from 'sequelize';
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

/** The members above, by name, for the test that guards them. */
export const SEQUELIZE_INTERNALS = [
  'connectionManager.getConnection',
  'connectionManager.releaseConnection',
  'connectionManager.destroyConnection',
  'connectionManager.close',
  'Transaction#connection',
  'Transaction#finished',
  'Transaction#_afterCommitHooks',
] as const;
