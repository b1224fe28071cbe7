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
