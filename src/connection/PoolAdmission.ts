import type pg from 'pg';
import { DatabaseUnavailableError } from '../errors/errors.js';

/** The pool settings admission works from. */
export interface AdmissionSettings {
  max: number;
  maxWaiting: number;
  acquireTimeoutMs: number;
}

interface Waiter {
  since: number;
  give(up: DatabaseUnavailableError): void;
}

// How many recent checkouts the pace of the pool is judged from: few enough to follow a fault
// within a couple of seconds, enough that one slow transaction does not sway it.
const RECENT = 16;

/**
 * Who may wait for a connection of a full pool, and for how long. A caller that would wait
 * longer than `pool.acquireTimeoutMs` fails at once with a {@link DatabaseUnavailableError}
 * instead of failing the same way after the whole timeout, and so does one already waiting as
 * soon as that becomes clear: under a latency fault the queue only grows, and every caller
 * waiting out 15 s only to fail is worse for the service than failing fast.
 *
 * The wait is estimated from the queue ahead of the caller and the pace at which connections come
 * back: the median time a connection was held, over the last checkouts that ended well. Those
 * that ended with the connection broken (a restart, a black hole) say nothing about the pace
 * once the database is back, and are left out. Only a caller with at least a full pool's worth of
 * callers ahead of it is ever refused this way; `pool.maxWaiting` bounds the queue in any case.
 */
export class PoolAdmission {
  private readonly holds: number[] = [];
  private nextHold = 0;
  private readonly checkedOut = new WeakMap<pg.ClientBase, number>();
  // In the order they came: a caller's place in the queue is its place here.
  private readonly waiters = new Set<Waiter>();

  constructor(private readonly settings: AdmissionSettings) {}

  /**
   * Callers waiting for a connection now. The pool's own count also holds the callers refused
   * while they waited, until the pool reaches them (it has no way to drop them from its queue).
   */
  get waiting(): number {
    return this.waiters.size;
  }

  /**
   * Takes a connection with `connect` (the pool's), or refuses the caller when the queue is full
   * or too slow for it. Every caller counts as waiting until it has its connection: the pool's
   * own counts lag behind a burst (a free connection is handed out on the next tick), which would
   * let a whole burst in at once.
   */
  async acquire(connect: () => Promise<pg.PoolClient>): Promise<pg.PoolClient> {
    const { maxWaiting, max } = this.settings;
    const ahead = this.waiters.size;
    if (maxWaiting !== 0 && ahead >= maxWaiting) {
      throw new DatabaseUnavailableError(
        `The database is unavailable: the pool is saturated (${ahead} callers already waiting for one of ${max} connections)`,
      );
    }
    // With fewer than a pool's worth ahead nobody is refused: the pace is not even looked at.
    const hopeless = ahead >= max ? this.hopeless(ahead + 1, this.settings.acquireTimeoutMs, this.pace()) : undefined;
    if (hopeless) throw hopeless;

    let waiter!: Waiter;
    let gaveUp = false;
    const givenUp = new Promise<never>((_, reject) => {
      waiter = {
        since: performance.now(),
        give: (error) => {
          gaveUp = true;
          reject(error);
        },
      };
    });
    this.waiters.add(waiter);
    const connecting = connect();
    try {
      return this.checkOut(await Promise.race([connecting, givenUp]));
    } catch (error) {
      // The pool still owes this caller a connection: hand it straight back when it comes.
      if (gaveUp)
        connecting.then(
          (client) => client.release(),
          () => {},
        );
      throw error;
    } finally {
      this.waiters.delete(waiter);
    }
  }

  /**
   * A connection came back (or was closed). How long it was held sets the pace when it ended
   * well; then every waiter that can no longer be served in time is told so at once.
   */
  returned(client: pg.ClientBase, healthy: boolean): void {
    const since = this.checkedOut.get(client);
    this.checkedOut.delete(client);
    if (since === undefined || !healthy) return;
    this.holds[this.nextHold] = performance.now() - since;
    this.nextHold = (this.nextHold + 1) % RECENT;
    if (this.waiters.size <= this.settings.max) return;
    const now = performance.now();
    const holdMs = this.pace();
    let place = 0;
    for (const waiter of [...this.waiters]) {
      place += 1;
      const hopeless = this.hopeless(place, waiter.since + this.settings.acquireTimeoutMs - now, holdMs);
      if (hopeless) {
        this.waiters.delete(waiter);
        waiter.give(hopeless);
      }
    }
  }

  private checkOut(client: pg.PoolClient): pg.PoolClient {
    this.checkedOut.set(client, performance.now());
    return client;
  }

  /** How long a connection is held now: the median of the recent checkouts that ended well; undefined until there are enough. */
  private pace(): number | undefined {
    if (this.holds.length < RECENT / 2) return undefined;
    const sorted = [...this.holds].sort((a, b) => a - b);
    return sorted[Math.floor(sorted.length / 2)];
  }

  /** Why the caller at `place` in the queue cannot get a connection within `remainingMs` at this pace, if it cannot. */
  private hopeless(place: number, remainingMs: number, holdMs: number | undefined): DatabaseUnavailableError | undefined {
    const { max, acquireTimeoutMs } = this.settings;
    if (place <= max || holdMs === undefined) return undefined;
    // The pool hands out `max` connections every `holdMs`: the caller at `place` waits about this long.
    const waitMs = (place * holdMs) / max;
    if (waitMs <= remainingMs) return undefined;
    return new DatabaseUnavailableError(
      `The database is unavailable: the pool is saturated (${place - 1} callers ahead for ${max} connections, each held about ${Math.round(holdMs)} ms: ` +
        `longer than pool.acquireTimeoutMs, ${acquireTimeoutMs} ms, to wait)`,
    );
  }
}
