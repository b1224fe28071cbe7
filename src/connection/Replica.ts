import type pg from 'pg';
import type { ReplicaTarget, ResolvedConfig } from '../config/resolveConfig.js';
import { CircuitBreaker, type BreakerState } from './CircuitBreaker.js';
import { createPool } from './createPool.js';
import { parseLsn, type Lsn } from './Lsn.js';
import { isQueryable } from './pgInternals.js';
import { runCommand } from './runStatement.js';
import type { PoolStats } from './Connections.js';

/** Counts of one replica's pool, its breaker, and how many reads it served. */
export interface ReplicaStats extends PoolStats {
  /** The circuit breaker: `closed` (in use), `open` (skipped after a failure) or `half-open` (being tried again). */
  breaker: BreakerState;
  /** Reads this replica has served since the handle was made. */
  reads: number;
}

// What the server has replayed. A server that is not in recovery (a replica URL that points at a
// primary, or a replica promoted by a failover) shows everything it has: its own WAL position.
const REPLAYED = `SELECT COALESCE(pg_last_wal_replay_lsn(), CASE WHEN NOT pg_is_in_recovery() THEN pg_current_wal_lsn() END)::text AS lsn`;

/** Back-off of a replica's breaker: one second, doubling while probes fail, at most 30 s. */
const BREAKER_TIMING = { initialBackoffMs: 1_000, maxBackoffMs: 30_000 };

/**
 * One read replica: its pool (same limits and timeouts as the primary's), its circuit breaker,
 * and what each of its connections is known to have replayed.
 *
 * The knowledge is per connection, not per replica: a replica URL may lead to more than one
 * server (a load balancer, a restarted standby that replays from an older point), and a
 * connection is on one server for its whole life, whose replay position only moves forward.
 */
export class Replica {
  readonly pool: pg.Pool;
  readonly breaker = new CircuitBreaker(BREAKER_TIMING);
  reads = 0;
  private readonly replayed = new WeakMap<pg.ClientBase, Lsn>();

  constructor(
    private readonly config: ResolvedConfig,
    target: ReplicaTarget,
  ) {
    this.pool = createPool({ ...config, ssl: target.ssl }, target.connection);
  }

  /** Whether `client` is known to have replayed `lsn`, asking the server (one round trip) only when not known yet. */
  async hasReplayed(client: pg.ClientBase, lsn: Lsn): Promise<boolean> {
    if (lsn === 0n || (this.replayed.get(client) ?? -1n) >= lsn) return true;
    // Its own statement, before the read: a check inside the read statement can see a snapshot
    // older than the position it reports.
    const { rows } = await runCommand(client, REPLAYED);
    const replayed = parseLsn((rows[0] as { lsn: unknown } | undefined)?.lsn);
    if (replayed === undefined) return false;
    this.replayed.set(client, replayed);
    return replayed >= lsn;
  }

  /** How busy the pool is: the replica to read from is the least busy one. */
  load(): number {
    return this.pool.totalCount - this.pool.idleCount + this.pool.waitingCount;
  }

  /** Whether one more caller would queue past `pool.maxWaiting`: then the primary serves it instead. */
  saturated(): boolean {
    const { maxWaiting } = this.config.pool;
    return maxWaiting !== 0 && this.pool.idleCount === 0 && this.pool.waitingCount >= maxWaiting;
  }

  /** Gives a connection back; one that failed or is broken is closed instead. */
  release(client: pg.PoolClient, error: unknown): void {
    const broken = error !== undefined || !isQueryable(client);
    client.release(broken ? (error instanceof Error ? error : new Error('connection is broken')) : undefined);
  }

  stats(): ReplicaStats {
    const { totalCount, idleCount, waitingCount } = this.pool;
    return {
      max: this.config.pool.max,
      inUse: totalCount - idleCount,
      idle: idleCount,
      waiting: waitingCount,
      breaker: this.breaker.state,
      reads: this.reads,
    };
  }
}
