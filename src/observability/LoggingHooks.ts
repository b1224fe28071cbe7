import type { TododbErrorCode } from '../errors/errors.js';

/** Why a statement failed, without anything the server's message could quote from the data. */
export interface QueryEventError {
  /** tododb's code for it, as the call's error has it: `CONFLICT`, `DATABASE_UNAVAILABLE`, … */
  code: TododbErrorCode;
  /** The SQLSTATE, when the server answered with an error (`23505`); absent for a lost connection. */
  sqlState?: string;
  /** tododb's message, which names a field at most, never a value. */
  message: string;
}

/**
 * One statement tododb sent to PostgreSQL, as `logging.onQuery` receives it: a service call's, a
 * model call's (Sequelize's), the migrator's, or a transaction's `BEGIN`/`COMMIT`. It never holds
 * a parameter value.
 */
export interface QueryEvent {
  /**
   * The statement's text. tododb's own statements carry `$1, $2, …` placeholders; literal values
   * in SQL that Sequelize (or a migration) wrote into the text are replaced by `?`.
   */
  sql: string;
  /** From sending the statement to its answer, in ms. */
  durationMs: number;
  /** The SQL command: `SELECT`, `INSERT`, `UPDATE`, `DELETE`, `BEGIN`, `COMMIT`, … */
  operation: string;
  /** Rows returned or changed; `null` for a command that has no count (`BEGIN`) or a statement that failed. */
  rowCount: number | null;
  /** Set when the statement failed. */
  error?: QueryEventError;
}

/** Something tododb let go of instead of printing it: Sequelize's warning that a commit or rollback of one of its transactions failed. */
export interface WarningEvent {
  /** What Sequelize would have printed, without values. */
  message: string;
  /** The error behind the warning, when there is one (code and SQLSTATE, never the server's text). */
  error?: QueryEventError;
}

/**
 * The structured form of the `logging` option: one event per statement, for service calls and
 * model calls alike, and the warnings Sequelize would otherwise print on stderr.
 *
 * @example
 * ```ts
 * import pino from 'pino';
 * import { createDatabase } from 'tododb';
 *
 * const logger = pino();
 * const db = createDatabase({
 *   logging: {
 *     onQuery: (event) => logger.debug(event, 'sql'),
 *     onWarning: (event) => logger.warn(event, event.message),
 *   },
 * });
 * ```
 */
export interface LoggingHooks {
  /** Called once per statement, after its answer (or failure). An exception it throws is ignored. */
  onQuery?: (event: QueryEvent) => void;
  /** Called instead of Sequelize's `console.warn`. Without it (and with every other `logging`), such warnings are dropped; the call still rejects with the error. */
  onWarning?: (event: WarningEvent) => void;
}
