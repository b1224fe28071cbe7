import type pg from 'pg';
import type { ResolvedConfig } from '../config/resolveConfig.js';
import { DatabaseUnavailableError, QueryTimeoutError } from '../errors/errors.js';
import type { QueryWatchdog } from './QueryWatchdog.js';
import { sqlState } from '../errors/sqlState.js';
import { translateError } from '../errors/translateError.js';
import { parseLsn, type Lsn } from './Lsn.js';
import { Replica, type ReplicaStats } from './Replica.js';
import { runCommand } from './runStatement.js';
import { PRIMARY_ONLY, WriteTokens } from './WriteTokens.js';

/** How many users' read-your-writes tokens one handle keeps (see {@link WriteTokens} for what happens past it). */
export const WRITE_TOKEN_CAPACITY = 10_000;

const CURRENT_LSN = 'SELECT pg_current_wal_lsn()::text AS lsn';

/**
 * The read replicas of one handle, and the router between them and the primary. The rule it
 * keeps: a read for a user goes to a replica only when that replica's connection has replayed
 * every write of that user this process knows of (the user's token, the primary's WAL position
 * taken after the write committed); otherwise, and whenever no replica can answer, the caller
 * reads from the primary.
 */
export class ReplicaSet {
  readonly tokens = new WriteTokens(WRITE_TOKEN_CAPACITY);
  private readonly replicas: Replica[];
  private next = 0;

  /** `watchdog` bounds a replica's queries as the primary's are bounded (queryTimeoutMs). */
  constructor(
    config: ResolvedConfig,
    private readonly watchdog: QueryWatchdog,
  ) {
    this.replicas = config.replicas.map((target) => new Replica(config, target));
  }

  /**
   * Runs a read for `user` on a replica that is fresh enough for that user, and returns
   * `{ value }`; `undefined` tells the caller to read from the primary: no replica is available,
   * the chosen one has not replayed the user's last write yet, or it failed (a read is safe to
   * run again). A replica that cannot be reached or does not answer opens its breaker.
   */
  async read<T>(user: string, run: (client: pg.ClientBase) => Promise<T>): Promise<{ value: T } | undefined> {
    const replica = this.choose();
    if (!replica) return undefined;
    let client: pg.PoolClient;
    try {
      client = await replica.pool.connect();
    } catch {
      replica.breaker.failed();
      return undefined;
    }
    this.watchdog.watch(client);
    let failure: unknown;
    try {
      const fresh = await replica.hasReplayed(client, this.tokens.required(user));
      replica.breaker.succeeded();
      if (!fresh) return undefined;
      const value = await run(client);
      replica.reads += 1;
      return { value };
    } catch (error) {
      failure = error;
      if (isUnreachable(error)) replica.breaker.failed();
      else replica.breaker.succeeded(); // it answered, with an error: the primary will say the same or better
      return undefined;
    } finally {
      this.watchdog.unwatch(client);
      replica.release(client, failure);
    }
  }

  /**
   * Records, for each of `users`, the primary's WAL position now — after their write committed on
   * `client` — so that their next reads wait for it. One round trip on the write's connection.
   * A position that cannot be read sends those users' reads to the primary until their next write.
   */
  async wrote(users: Iterable<string>, client: pg.ClientBase): Promise<void> {
    let lsn: Lsn | undefined;
    try {
      const { rows } = await runCommand(client, CURRENT_LSN);
      lsn = parseLsn((rows[0] as { lsn: unknown } | undefined)?.lsn);
    } catch {
      // The write committed; failing it now would make the caller believe it did not.
    }
    for (const user of users) this.tokens.record(user, lsn ?? PRIMARY_ONLY);
  }

  /**
   * A write of `user` failed. When the failure came from the server (a constraint, a timeout
   * it reported) nothing was committed; when the connection failed it may have been: then the
   * user reads from the primary until their next write.
   */
  writeFailed(user: string, error: unknown): void {
    if (sqlState(error) === undefined) this.tokens.record(user, PRIMARY_ONLY);
  }

  /** Counts of each replica's pool and breaker, in the order of `replicaUrls`. */
  stats(): ReplicaStats[] {
    return this.replicas.map((replica) => replica.stats());
  }

  /** Ends every replica's pool. */
  async close(): Promise<void> {
    await Promise.all(this.replicas.map((replica) => replica.pool.end()));
  }

  // The least busy replica whose breaker lets a call through, taking turns among equals.
  private choose(): Replica | undefined {
    const count = this.replicas.length;
    const start = this.next;
    this.next = (this.next + 1) % count;
    const order = Array.from({ length: count }, (_, i) => this.replicas[(start + i) % count]!)
      .filter((replica) => replica.breaker.state !== 'open' && !replica.saturated())
      .sort((a, b) => a.load() - b.load());
    return order.find((replica) => replica.breaker.tryPass());
  }
}

// A replica that is down, unreachable or silent, as opposed to one that answered with an error.
function isUnreachable(error: unknown): boolean {
  const translated = translateError(error);
  return translated instanceof DatabaseUnavailableError || translated instanceof QueryTimeoutError;
}
