import type { QueryInterface, Transaction } from 'sequelize';
import type { Sequelize } from 'sequelize-typescript';

/**
 * What each migration receives. Everything it does runs in the migration's own transaction: the
 * migration and the row that records it commit together or not at all. `sequelize`,
 * `queryInterface` and `transaction` load Sequelize on first use; `query` does not.
 */
export interface MigrationContext {
  /** The PostgreSQL schema of tododb's tables (the `schema` option), unquoted: name it in your SQL. */
  readonly schema: string;
  /** Runs one SQL statement (with `$1`… parameters) in the migration's transaction. */
  query(
    sql: string,
    values?: readonly unknown[],
  ): Promise<{
    /** The rows the statement returned, one object per row keyed by column name. */
    rows: Record<string, unknown>[];
    /** The rows it inserted, updated, deleted or returned, as PostgreSQL counts them. */
    rowCount: number | null;
  }>;
  /** Sequelize's query interface; pass `{ transaction }` to each of its calls. */
  readonly queryInterface: QueryInterface;
  /** The handle's Sequelize instance. */
  readonly sequelize: Sequelize;
  /** The migration's transaction, for `queryInterface` and model calls. */
  readonly transaction: Transaction;
}

/**
 * One migration of an application: a name that sorts in order (`migrate create` makes one), and
 * its two directions.
 *
 * @example
 * ```ts
 * const addTags: MigrationDefinition = {
 *   name: '20261201120000-add-tags',
 *   up: ({ query, schema }) => query(`CREATE TABLE "${schema}".tags (id uuid PRIMARY KEY, label text NOT NULL)`).then(() => {}),
 *   down: ({ query, schema }) => query(`DROP TABLE "${schema}".tags`).then(() => {}),
 * };
 * ```
 */
export interface MigrationDefinition {
  /** Letters `a`–`z`, digits, `.`, `_` and `-`, starting with a letter or digit; migrations run in the order of their names. */
  name: string;
  /** Applies the migration, in its own transaction. */
  up(context: MigrationContext): Promise<void>;
  /** Without it, `down` refuses to revert this migration. */
  down?(context: MigrationContext): Promise<void>;
  /**
   * What identifies this version of the migration; an applied migration whose checksum has since
   * changed is reported as `changed` and stops `up`. Default: a hash of the source text of `up`
   * and `down` (a bundler that rewrites them changes it: set your own then). The CLI uses the
   * hash of the file.
   */
  checksum?: string;
}
