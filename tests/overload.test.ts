// Overload: when the pool's queue is already long (a latency fault, a slow database), a caller
// past pool.maxWaiting fails at once with a DatabaseUnavailableError instead of queueing for the
// whole acquire timeout, and the callers already waiting are served.
import { describe, expect, it } from 'vitest';
import { createDatabase, DatabaseUnavailableError } from '../src/index.js';
import { useDatabaseCopy } from './support/testDatabase.js';

describe('pool.maxWaiting', () => {
  const testDb = useDatabaseCopy();

  it('fails the caller past the bound at once, and serves the ones that were waiting', async () => {
    const db = createDatabase({ url: testDb.url, pool: { max: 1, maxWaiting: 3, acquireTimeoutMs: 20_000 } }, {});
    try {
      const user = await db.users.create({ email: 'overload@example.com' });
      // One connection, held by a slow statement; three callers queue behind it.
      const slow = db.sequelize.query('SELECT pg_sleep(0.5)');
      while (db.stats().inUse < 1) await new Promise((resolve) => setTimeout(resolve, 5));
      const waiting = [1, 2, 3].map(() => db.users.get(user.id));
      while (db.stats().waiting < 3) await new Promise((resolve) => setTimeout(resolve, 5));

      const started = performance.now();
      const refused = await db.users.get(user.id).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(DatabaseUnavailableError);
      expect((refused as Error).message).toMatch(/saturated/);
      // "At once": long before the slow statement ends, let alone the 20 s acquire timeout.
      expect(performance.now() - started).toBeLessThan(400);

      await slow;
      for (const found of await Promise.all(waiting)) expect(found.id).toBe(user.id);
      expect(db.stats()).toMatchObject({ waiting: 0 });
    } finally {
      await db.close();
    }
  });

  it('is off with 0', async () => {
    const db = createDatabase({ url: testDb.url, pool: { max: 1, maxWaiting: 0 } }, {});
    try {
      const user = await db.users.create({ email: 'unbounded@example.com' });
      const calls = Array.from({ length: 150 }, () => db.users.get(user.id));
      expect((await Promise.all(calls)).every((found) => found.id === user.id)).toBe(true);
    } finally {
      await db.close();
    }
  });
});

describe('the pool admission under pressure', () => {
  const testDb = useDatabaseCopy();

  it('counts only callers that no free connection will serve: a burst of pool.max on a warm pool is never refused', async () => {
    const db = createDatabase({ url: testDb.url, pool: { max: 10, maxWaiting: 2 } }, {});
    try {
      const user = await db.users.create({ email: 'burst@example.com' });
      for (let round = 0; round < 3; round += 1) {
        const results = await Promise.allSettled(Array.from({ length: 10 }, () => db.users.get(user.id)));
        expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
      }
      expect(db.stats()).toMatchObject({ waiting: 0 });
    } finally {
      await db.close();
    }
  });

  it('tells the callers still waiting at once when the handle closes, instead of after their acquire timeout', async () => {
    const db = createDatabase({ url: testDb.url, pool: { max: 1, acquireTimeoutMs: 20_000 } }, {});
    const user = await db.users.create({ email: 'closing@example.com' });
    let finish!: () => void;
    const holding = db.transaction(() => new Promise<void>((resolve) => (finish = resolve)));
    while (db.stats().inUse < 1) await new Promise((resolve) => setTimeout(resolve, 5));
    const waiting = db.users.get(user.id).catch((error: unknown) => error);
    while (db.stats().waiting < 1) await new Promise((resolve) => setTimeout(resolve, 5));

    const started = performance.now();
    const closed = db.close();
    const error = await waiting;
    expect(error).toMatchObject({ code: 'DATABASE_CLOSED' });
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(db.stats()).toMatchObject({ waiting: 0 });
    finish();
    await holding;
    await closed;
  });

  it('survives thousands of callers given up while they waited: each connection the pool still owes them goes back, the process keeps its stack', async () => {
    // A fresh handle knows no pace, so 4,000 callers all queue behind one connection; once a few
    // have been served the pace shows that most cannot be served within the acquire timeout, and
    // they are refused while still in pg-pool's queue. Each connection the pool then hands one of
    // them goes straight back: done from inside the pool's callback, that recursed once per
    // refused caller until the stack overflowed.
    const db = createDatabase({ url: testDb.url, pool: { max: 1, maxWaiting: 0, acquireTimeoutMs: 2_000 } }, {});
    try {
      const user = await db.users.create({ email: 'refused@example.com' });
      let finish!: () => void;
      const holding = db.transaction(() => new Promise<void>((resolve) => (finish = resolve)));
      while (db.stats().inUse < 1) await new Promise((resolve) => setTimeout(resolve, 5));
      const calls = Array.from({ length: 4_000 }, () => db.users.get(user.id));
      finish();
      await holding;
      const results = await Promise.allSettled(calls);
      const failures = results.flatMap((result) => (result.status === 'rejected' ? [result.reason as unknown] : []));
      expect(failures.length).toBeGreaterThan(0);
      for (const failure of failures) expect(failure).toBeInstanceOf(DatabaseUnavailableError);
      // The pool still works, and gives its connection back at close.
      expect((await db.users.get(user.id)).id).toBe(user.id);
    } finally {
      await db.close();
    }
  }, 30_000);
});
