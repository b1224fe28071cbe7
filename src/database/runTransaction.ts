import { setTimeout as sleep } from 'node:timers/promises';
import type { Connections, IsolationLevel } from '../connection/Connections.js';
import type { TransactionScope } from '../connection/TransactionScope.js';
import { ConfigError, SerializationFailureError, TransactionError } from '../errors/errors.js';
import { sqlState } from '../errors/sqlState.js';
import { isUuid } from '../ids/uuidv7.js';
import { dbAttributes } from '../observability/dbAttributes.js';
import { traceTransaction } from '../observability/traceTransaction.js';

/** Options of `db.transaction()`. */
export interface TransactionOptions {
  /** Default `'read committed'`. */
  isolationLevel?: IsolationLevel;
  /**
   * How many times to run the whole callback again when PostgreSQL rolls the transaction back
   * for a serialization failure (40001) or a deadlock (40P01). Default 0. The callback must be
   * safe to re-run: anything it does outside the database happens again.
   */
  retries?: number;
  /**
   * With `rowLevelSecurity`: the user the transaction acts for from its start, so that model calls
   * and raw SQL in it see that user's tasks (service calls set it themselves).
   */
  actingUser?: string;
}

const ISOLATION_LEVELS: readonly IsolationLevel[] = ['read committed', 'repeatable read', 'serializable'];
const MAX_RETRIES = 10;

/** `db.transaction()`: checks its options, then runs `work`, again after a serialization failure when asked to. */
export async function runTransaction<T>(
  connections: Connections,
  work: (scope: TransactionScope) => Promise<T>,
  options: TransactionOptions | undefined,
): Promise<T> {
  const { isolationLevel, retries, actingUser } = checkOptions(options);
  const nested = connections.currentScope() !== undefined;
  if (retries > 0 && nested) {
    throw new TransactionError(
      'TRANSACTION_MISUSE',
      'A nested db.transaction() is a savepoint and cannot be retried on its own: set `retries` on the outermost one',
    );
  }
  const run =
    actingUser === undefined
      ? work
      : async (scope: TransactionScope) => {
          // Awaited: model calls do not go through the transaction's queue.
          await scope.actAs(actingUser);
          return work(scope);
        };
  // One span for the call, its retries included (src/observability), when tracing is on.
  return traceTransaction(dbAttributes(connections.config), { nested, isolationLevel }, async (onRetry) => {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await connections.transaction(run, isolationLevel);
      } catch (error) {
        if (attempt >= retries || !isSerializationFailure(error)) throw error;
        onRetry(error);
        // Jittered and growing, so that the transactions that collided do not collide again.
        await sleep(Math.random() * Math.min(200, 10 * 2 ** attempt));
      }
    }
  });
}

function checkOptions(options: TransactionOptions | undefined): {
  isolationLevel: IsolationLevel | undefined;
  retries: number;
  actingUser: string | undefined;
} {
  if (options === undefined) return { isolationLevel: undefined, retries: 0, actingUser: undefined };
  if (typeof options !== 'object' || options === null) {
    throw new ConfigError('options', 'Expected the options of db.transaction() to be an object');
  }
  const { isolationLevel, retries = 0, actingUser } = options;
  if (actingUser !== undefined && !isUuid(actingUser)) {
    throw new ConfigError('actingUser', 'Expected `actingUser` to be a user id (a UUID)');
  }
  let level: IsolationLevel | undefined;
  if (isolationLevel !== undefined) {
    // Sequelize's constants are the same words in upper case ('SERIALIZABLE').
    level = typeof isolationLevel === 'string' ? (isolationLevel.toLowerCase() as IsolationLevel) : undefined;
    if (level === undefined || !ISOLATION_LEVELS.includes(level)) {
      throw new ConfigError(
        'isolationLevel',
        `Expected \`isolationLevel\` to be one of ${ISOLATION_LEVELS.map((l) => `'${l}'`).join(', ')}`,
      );
    }
  }
  if (typeof retries !== 'number' || !Number.isInteger(retries) || retries < 0 || retries > MAX_RETRIES) {
    throw new ConfigError('retries', `Expected \`retries\` to be an integer from 0 to ${MAX_RETRIES}`);
  }
  return { isolationLevel: level, retries, actingUser };
}

function isSerializationFailure(error: unknown): boolean {
  for (let current: unknown = error, depth = 0; current && depth < 5; current = (current as { cause?: unknown }).cause, depth += 1) {
    if (current instanceof SerializationFailureError) return true;
    const state = sqlState(current);
    if (state === '40001' || state === '40P01') return true;
  }
  return false;
}
