import type pg from 'pg';
import { DatabaseUnavailableError } from '../errors/errors.js';

/** The pool settings admission works from. */
export interface AdmissionSettings {
  max: number;
  maxWaiting: number;
  acquireTimeoutMs: number;
}

/** pg-pool's `connect` in its callback form: no promise of its own per checkout. */
export type ConnectCallback = (callback: (error: Error | undefined, client: pg.PoolClient | undefined) => void) => void;

interface Waiter {
  since: number;
  /** Whether the caller has its answer: a connection, or an error. */
  settled: boolean;
  resolve(client: pg.PoolClient): void;
  reject(error: unknown): void;
}

// How many recent checkouts the pace of the pool is judged from: few enough to follow a fault
// within a couple of seconds, enough that one slow transaction does not sway it.
const RECENT = 16;
// How long a computed pace is used before the recent checkouts are looked at again: often enough
// to follow a fault, rarely enough that a busy pool does not sort on every checkout.
const PACE_TTL_MS = 50;

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
 * callers really waiting ahead of it is ever refused this way; `pool.maxWaiting` bounds that
 * queue in any case. Callers that a free connection will serve (an idle one, or one being
 * opened) do not count as waiting.
 *
 * The acquire timeout stays pg-pool's: its timer removes a caller from the pool's queue. A caller
 * refused here stays in that queue until the pool reaches it or its timer fires; the connection
 * the pool then hands it goes straight back, in a microtask of its own (released from inside the
 * pool's callback, a run of such callers would recurse through the pool once each).
 */
export class PoolAdmission {
  private readonly holds: number[] = [];
  private nextHold = 0;
  private paceMs: number | undefined;
  private pacedAt = Number.NEGATIVE_INFINITY;
  private readonly checkedOut = new WeakMap<pg.ClientBase, number>();
  // Connections handed out and not yet back.
  private inUse = 0;
  // In the order they came: a caller's place in the queue is its place here.
  private readonly waiters = new Set<Waiter>();

  constructor(private readonly settings: AdmissionSettings) {}

  /**
   * Callers really waiting for a connection now: those that no free connection (idle, or still
   * to be opened within `pool.max`) will serve.
   */
  get waiting(): number {
    return Math.max(0, this.waiters.size - this.free());
  }

  /**
   * Takes a connection with `connect` (the pool's), or refuses the caller when the queue is full
   * or too slow for it. Every caller counts as waiting until it has its connection, less those
   * a free connection will serve: the pool's own counts lag behind a burst (a free connection is
   * handed out on the next tick), which would let a whole burst in at once.
   */
  acquire(connect: ConnectCallback): Promise<pg.PoolClient> {
    const { maxWaiting, max } = this.settings;
    const ahead = this.waiting;
    if (maxWaiting !== 0 && ahead >= maxWaiting) {
      return Promise.reject(
        new DatabaseUnavailableError(
          `The database is unavailable: the pool is saturated (${ahead} callers already waiting for one of ${max} connections)`,
        ),
      );
    }
    // With fewer than a pool's worth ahead nobody is refused: the pace is not even looked at.
    const hopeless = ahead >= max ? this.hopeless(ahead + 1, this.settings.acquireTimeoutMs, this.pace()) : undefined;
    if (hopeless) return Promise.reject(hopeless);

    return new Promise<pg.PoolClient>((resolve, reject) => {
      const waiter: Waiter = { since: performance.now(), settled: false, resolve, reject };
      this.waiters.add(waiter);
      try {
        connect((error, client) => this.connected(waiter, error, client));
      } catch (error) {
        this.connected(waiter, error instanceof Error ? error : new Error(String(error)), undefined);
      }
    });
  }

  /**
   * A connection came back (or was closed). How long it was held sets the pace when it ended
   * well; then every waiter that can no longer be served in time is told so at once.
   */
  returned(client: pg.ClientBase, healthy: boolean): void {
    const since = this.checkedOut.get(client);
    if (since === undefined) return;
    this.checkedOut.delete(client);
    this.inUse -= 1;
    if (!healthy) return;
    const now = performance.now();
    this.holds[this.nextHold] = now - since;
    this.nextHold = (this.nextHold + 1) % RECENT;
    const free = this.free();
    if (this.waiters.size - free <= this.settings.max) return;
    const holdMs = this.pace();
    let place = -free;
    // Deleting the entry being visited is safe while iterating a Set.
    for (const waiter of this.waiters) {
      place += 1;
      const hopeless = this.hopeless(place, waiter.since + this.settings.acquireTimeoutMs - now, holdMs);
      if (hopeless) this.giveUp(waiter, hopeless);
    }
  }

  /** Answers every caller still waiting with `error` (the handle is closing): none waits out its timeout. */
  rejectAll(error: () => unknown): void {
    for (const waiter of this.waiters) this.giveUp(waiter, error());
  }

  // Connections the pool may still hand out without anyone giving one back.
  private free(): number {
    return Math.max(0, this.settings.max - this.inUse);
  }

  /** The pool answered a caller: too late when the caller was given up on, and then the connection goes straight back. */
  private connected(waiter: Waiter, error: Error | undefined, client: pg.PoolClient | undefined): void {
    if (waiter.settled) {
      if (client) queueMicrotask(() => client.release());
      return;
    }
    waiter.settled = true;
    this.waiters.delete(waiter);
    if (error || !client) {
      waiter.reject(error ?? new Error('the pool gave no connection'));
      return;
    }
    this.checkedOut.set(client, performance.now());
    this.inUse += 1;
    waiter.resolve(client);
  }

  private giveUp(waiter: Waiter, error: unknown): void {
    waiter.settled = true;
    this.waiters.delete(waiter);
    waiter.reject(error);
  }

  /** How long a connection is held now: the median of the recent checkouts that ended well; undefined until there are enough. */
  private pace(): number | undefined {
    if (this.holds.length < RECENT / 2) return undefined;
    const now = performance.now();
    if (now - this.pacedAt > PACE_TTL_MS) {
      const sorted = [...this.holds].sort((a, b) => a - b);
      this.paceMs = sorted[Math.floor(sorted.length / 2)];
      this.pacedAt = now;
    }
    return this.paceMs;
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
