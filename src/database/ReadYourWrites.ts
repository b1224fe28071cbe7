import { decodeConsistencyToken, encodeConsistencyToken } from '../connection/ConsistencyToken.js';
import type { Connections } from '../connection/Connections.js';
import { parseLsn } from '../connection/Lsn.js';
import { TransactionError } from '../errors/errors.js';
import { requireId } from '../services/validateInput.js';

/**
 * Read-your-writes across processes, for `replicaUrls`. Within one process it is automatic: after
 * `db.users` / `db.tasks` (or `db.transaction()`) wrote a user's rows, that user's reads wait for
 * a replica that has replayed the write, or go to the primary. A user whose next request may land
 * on another process (serverless, several instances) carries a token from the one that wrote to
 * the one that reads.
 *
 * @example
 * ```ts
 * declare const userId: string;
 * // the instance that wrote: hand the token to the client (a response header, say)
 * await db.tasks.create(userId, { title: 'Buy milk' });
 * const token = db.readYourWrites.tokenFor(userId); // 'v1.0000000016b374d8' or undefined
 *
 * // any instance, on the client's next request: apply it before reading
 * if (token) db.readYourWrites.observe(userId, token);
 * await db.tasks.list(userId); // sees 'Buy milk'
 * ```
 */
export interface ReadYourWrites {
  /**
   * An opaque token that makes another process's reads for `userId` see this process's writes of
   * that user so far: a position in the primary's write-ahead log, nothing else (no host, no
   * data). `undefined` when there is nothing to wait for (no write of that user seen here), and
   * always without `replicaUrls`.
   */
  tokenFor(userId: string): string | undefined;
  /**
   * Applies a token from {@link ReadYourWrites.tokenFor} (of any process of the same database): reads for
   * `userId` go only to replicas that have replayed it, or to the primary. A token that is not
   * one is a `ValidationError` naming `token`; without `replicaUrls` it is checked and ignored.
   */
  observe(userId: string, token: string): void;
  /**
   * Records a write the service layer did not make (a model call, `db.sequelize.query`) as
   * `userId`'s: takes the primary's current WAL position (one round trip) as their token. Call it
   * after that write committed. Without `replicaUrls` it does nothing.
   */
  record(userId: string): Promise<void>;
}

/** The `db.readYourWrites` of a handle. */
export function createReadYourWrites(connections: Connections): ReadYourWrites {
  const tokens = () => connections.replicas?.tokens;
  return {
    tokenFor(userId) {
      const lsn = tokens()?.tokenOf(requireId(userId, 'userId'));
      return lsn === undefined ? undefined : encodeConsistencyToken(lsn);
    },
    observe(userId, token) {
      const user = requireId(userId, 'userId');
      const lsn = decodeConsistencyToken(token, 'token');
      tokens()?.record(user, lsn);
    },
    async record(userId) {
      const user = requireId(userId, 'userId');
      const held = tokens();
      if (!held) return;
      if (connections.currentScope()) {
        // Inside the transaction the position would be taken before its commit, too early.
        throw new TransactionError(
          'TRANSACTION_MISUSE',
          'db.readYourWrites.record() inside db.transaction() would be taken before the commit: call it after db.transaction() has returned',
        );
      }
      const { rows } = await connections.execute('SELECT pg_current_wal_lsn()::text AS lsn');
      const lsn = parseLsn((rows[0] as { lsn: unknown } | undefined)?.lsn);
      if (lsn !== undefined) held.record(user, lsn);
    },
  };
}
