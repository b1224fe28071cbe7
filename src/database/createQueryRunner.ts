import type pg from 'pg';
import type { Sequelize } from 'sequelize-typescript';
import type { SqlLogger } from '../config/resolveConfig.js';
import { translateError } from '../errors/translateError.js';

/** Runs one parameterised statement on a connection of the database's pool. */
export type QueryRunner = <Row extends pg.QueryResultRow>(text: string, values: unknown[]) => Promise<pg.QueryResult<Row>>;

interface ConnectionManager {
  getConnection(options: { type: string }): Promise<pg.ClientBase>;
  releaseConnection(connection: pg.ClientBase): void;
}

/**
 * The service layer's path to PostgreSQL: one pooled connection, one unnamed statement, one
 * round trip, plain rows back. It shares Sequelize's pool (and so its size, timeouts and
 * connection settings) but skips the model machinery, which is what makes it as fast as raw
 * `pg`. Statements are never named: through PgBouncer in transaction mode a named prepared
 * statement can land on another client's backend.
 */
export function createQueryRunner(sequelize: Sequelize, logging: false | SqlLogger): QueryRunner {
  const manager = (sequelize as unknown as { connectionManager: ConnectionManager }).connectionManager;

  return async <Row extends pg.QueryResultRow>(text: string, values: unknown[]) => {
    const started = logging ? performance.now() : 0;
    let connection: pg.ClientBase;
    try {
      connection = await manager.getConnection({ type: 'SELECT' });
    } catch (error) {
      throw translateError(error);
    }
    try {
      return await connection.query<Row>(text, values);
    } catch (error) {
      throw translateError(error);
    } finally {
      manager.releaseConnection(connection);
      if (logging) logging(text, performance.now() - started);
    }
  };
}
