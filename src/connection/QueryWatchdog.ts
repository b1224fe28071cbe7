import type pg from 'pg';
import { activeQueryOf, destroySocket } from './pgInternals.js';

interface Watched {
  query: unknown;
  since: number;
  limitMs: number | undefined;
  /** Counts the connection's checkouts, so that an override ends only in the checkout it began in. */
  checkout: number;
}

/**
 * The client-side bound on each query (`queryTimeoutMs`), for a server that has stopped answering
 * (a black-holed host): a query that has been waiting longer than that gets its connection closed,
 * which fails it and every query queued behind it, and the pool drops the connection.
 *
 * One timer per handle that looks at the connections in use, instead of pg's `query_timeout`: that
 * wraps every query's callback in a closure with a timer of its own, and any such per-query wrapper
 * makes V8 allocate pg's result rows straight into the old generation (measured: 250 MB promoted
 * over 10,000 list calls against 7 MB without, and CPU per call 1.5× raw pg's). The bound is
 * checked every second or so, which is precise enough for a bound of many seconds.
 */
export class QueryWatchdog {
  // One entry per connection, made on its first checkout and reused after: a checkout costs a
  // set insertion, not an allocation.
  private readonly entries = new WeakMap<pg.ClientBase, Watched>();
  private readonly watched = new Set<pg.ClientBase>();
  private readonly timedOut = new WeakSet<pg.ClientBase>();
  private timer: NodeJS.Timeout | undefined;
  private readonly intervalMs: number;

  constructor(private readonly limitMs: number) {
    this.intervalMs = Math.max(50, Math.min(1_000, Math.floor(limitMs / 4)));
  }

  /** Watches `client` while it is checked out of the pool. */
  watch(client: pg.ClientBase): void {
    let entry = this.entries.get(client);
    if (entry) {
      entry.query = undefined;
      entry.limitMs = undefined;
      entry.checkout += 1;
    } else {
      entry = { query: undefined, since: 0, limitMs: undefined, checkout: 0 };
      this.entries.set(client, entry);
    }
    this.watched.add(client);
    // Stopped by check() once nothing is watched: not per call, which would make and clear a
    // timer for every statement of a lone caller.
    this.timer ??= setInterval(() => this.check(), this.intervalMs).unref();
  }

  /** Stops watching `client` (it went back to the pool, or was closed). */
  unwatch(client: pg.ClientBase): void {
    this.watched.delete(client);
  }

  /** Replaces the bound for `client` until the returned function is called: the migrator waits longer. */
  override(client: pg.ClientBase, limitMs: number | undefined): () => void {
    const entry = this.watched.has(client) ? this.entries.get(client) : undefined;
    if (!entry) return () => {};
    const { limitMs: previous, checkout } = entry;
    entry.limitMs = limitMs ?? 0;
    return () => {
      if (entry.checkout === checkout) entry.limitMs = previous;
    };
  }

  /** Whether `client` was closed by the watchdog: its failure is a timeout, not an outage. */
  hasTimedOut(client: pg.ClientBase): boolean {
    return this.timedOut.has(client);
  }

  private check(): void {
    if (this.watched.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
      return;
    }
    const now = performance.now();
    for (const client of this.watched) {
      const entry = this.entries.get(client)!;
      const query = activeQueryOf(client);
      if (query !== entry.query) {
        entry.query = query;
        entry.since = now;
        continue;
      }
      const limit = entry.limitMs ?? this.limitMs;
      if (query && limit > 0 && now - entry.since > limit) {
        this.timedOut.add(client);
        this.unwatch(client);
        // tododb's clients close themselves the way their driver needs (a WebSocket for Neon's).
        const own = (client as { discard?: () => void }).discard;
        if (typeof own === 'function') own.call(client);
        else destroySocket(client);
      }
    }
  }
}
