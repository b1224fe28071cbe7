import type { QueryInterface, Transaction } from 'sequelize';
import type { Sequelize } from 'sequelize-typescript';

/**
 * What each migration receives. Everything it does must go through `transaction`: the
 * migration and the row that records it commit together or not at all.
 */
export interface MigrationContext {
  queryInterface: QueryInterface;
  sequelize: Sequelize;
  transaction: Transaction;
}

/** One migration of the package: a name that sorts in order, and its two directions. */
export interface MigrationDefinition {
  name: string;
  up(context: MigrationContext): Promise<void>;
  down(context: MigrationContext): Promise<void>;
}
