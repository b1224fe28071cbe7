import pg from 'pg';
import type { Transaction } from 'sequelize';
import type { Sequelize, SequelizeOptions } from 'sequelize-typescript';
import type { Connections } from '../connection/Connections.js';
import type { TransactionScope } from '../connection/TransactionScope.js';
import { TransactionError } from '../errors/errors.js';
import { defineModels, type Models } from '../models/defineModels.js';
import { loadSequelize } from './loadSequelize.js';
import { eventError } from '../observability/eventError.js';
import { attachConnection, finishTransaction, replaceConnectionManager, reportTransactionWarnings } from './sequelizeInternals.js';

/** Sequelize and the models of one handle, made on first use. */
export interface Orm {
  sequelize: Sequelize;
  models: Models;
  /** The Sequelize transaction that model calls pass as `{ transaction }` inside `scope`. */
  transactionFor(scope: TransactionScope): Transaction;
  /** Ends what Sequelize itself holds (nothing but an unused pool object). */
  close(): Promise<void>;
}

/**
 * Builds the Sequelize instance of a handle on its connection layer: Sequelize opens no
 * connection of its own. Every model call takes its connection from the handle's pool, or, inside
 * `db.transaction()`, uses the transaction's connection — so models and services share one budget
 * of `pool.max` connections, one set of timeouts and session rules, and one transaction.
 */
export function createOrm(connections: Connections): Orm {
  const { core, typescript } = loadSequelize();
  const { config } = connections;
  const logging = config.logging;

  const sequelize = new typescript.Sequelize({
    dialect: 'postgres',
    // Only for Sequelize's set-up (type parsers): connections come from the handle's pool.
    dialectModule: pg,
    host: config.connection.host,
    port: config.connection.port,
    database: config.connection.database,
    username: config.connection.user,
    // Sequelize never connects by itself here, and it keeps its config in enumerable fields.
    password: undefined,
    logging: logging === false ? false : (sql: string, timing?: number) => logging(sql, timing),
    benchmark: logging !== false,
    pool: { max: config.pool.max, min: 0 },
    // Without a version Sequelize would open a connection of its own to ask the server for it.
    databaseVersion: '14.0.0',
    keepDefaultTimezone: true, // read by Sequelize's postgres dialect, missing from its types
    define: { underscored: true },
  } as SequelizeOptions);

  const closeSequelize = replaceConnectionManager(sequelize, {
    getConnection: async (options) => {
      const scope = connections.currentScope();
      if (!scope) return connections.acquire();
      const refusal = scope.refusal();
      if (refusal) throw refusal;
      if (options?.uuid !== undefined) {
        throw new TransactionError(
          'TRANSACTION_MISUSE',
          'A Sequelize transaction cannot start inside db.transaction(): pass { transaction: tx.transaction } to model calls, or nest db.transaction() for a savepoint',
        );
      }
      // A model call without `{ transaction }` inside db.transaction() joins it, as db.users does.
      return scope.client as pg.PoolClient;
    },
    releaseConnection: (connection) => {
      if (!connections.isInTransaction(connection)) connections.release(connection);
    },
    destroyConnection: async (connection) => {
      connections.discard(connection, new Error('closed by Sequelize after a failed commit or rollback'));
    },
    close: () => connections.close(),
  });

  // Sequelize would print a failed COMMIT or ROLLBACK of its own transactions on stderr, with
  // the server's message: it goes to `logging.onWarning` when there is one, else nowhere (the
  // call rejects with the error all the same).
  const onWarning = config.loggingHooks?.onWarning;
  reportTransactionWarnings(sequelize, core.Transaction, (message, error) => {
    try {
      onWarning?.({ message, error: eventError(error) });
    } catch {
      // A logger that throws must not replace the error the call rejects with.
    }
  });

  const models = defineModels(typescript, config.schema);
  // One Sequelize transaction per db.transaction(), shared by its savepoints (same connection).
  const transactions = new WeakMap<TransactionScope, Transaction>();
  sequelize.addModels([models.User, models.Task]);

  return {
    sequelize,
    models,
    transactionFor(scope) {
      const root = scope.root;
      let transaction = transactions.get(root);
      if (!transaction) {
        transaction = new core.Transaction(sequelize, {});
        attachConnection(transaction, root.client);
        const refuse = async (): Promise<never> => {
          throw new TransactionError(
            'TRANSACTION_MISUSE',
            'db.transaction() commits when its callback returns and rolls back when it throws: do not call commit() or rollback() on tx.transaction',
          );
        };
        Object.defineProperties(transaction, { commit: { value: refuse }, rollback: { value: refuse } });
        const bound = transaction;
        root.onEnd.push((outcome) => finishTransaction(bound, outcome));
        transactions.set(root, transaction);
      }
      return transaction;
    },
    close: closeSequelize,
  };
}
