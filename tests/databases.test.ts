import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseUnavailableError, createDatabase, translateError, type Database } from '../src/index.js';
import { freePort } from './support/embeddedPostgres.js';
import { createTestDatabase, type TestDatabase } from './support/testDatabase.js';

describe('two databases in one process', () => {
  let first: TestDatabase;
  let second: TestDatabase;
  let db1: Database;
  let db2: Database;

  beforeAll(async () => {
    [first, second] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    db1 = createDatabase({ url: first.url }, {});
    db2 = createDatabase({ url: second.url }, {});
  });
  afterAll(async () => {
    await Promise.all([db1.close(), db2.close()]);
    await Promise.all([first.drop(), second.drop()]);
  });

  it('have their own model classes, each bound to its own Sequelize', () => {
    expect(db1.models.User).not.toBe(db2.models.User);
    expect(db1.models.Task).not.toBe(db2.models.Task);
    expect(db1.models.User.sequelize).toBe(db1.sequelize);
    expect(db2.models.User.sequelize).toBe(db2.sequelize);
    expect(db2.models.Task.sequelize).toBe(db2.sequelize);
  });

  it('never read a row written through the other', async () => {
    const one = await db1.models.User.create({ email: 'only-in-one@example.com' });
    const two = await db2.models.User.create({ email: 'only-in-two@example.com' });

    expect(await db1.models.User.count()).toBe(1);
    expect(await db2.models.User.count()).toBe(1);
    expect(await db1.models.User.findByPk(two.id)).toBeNull();
    expect(await db2.models.User.findByPk(one.id)).toBeNull();
    expect((await db1.models.User.findByPk(one.id))?.email).toBe('only-in-one@example.com');
    expect((await db2.models.User.findByPk(two.id))?.email).toBe('only-in-two@example.com');
  });

  it('write instance changes and associations to their own database', async () => {
    // The same user id in both databases, with different tasks: an include that crossed over
    // would show the other database's tasks.
    const id = '01900000-0000-7000-8000-000000000001';
    const user1 = await db1.models.User.create({ id, email: 'same@example.com' });
    await db2.models.User.create({ id, email: 'same@example.com' });
    await db1.models.Task.create({ userId: id, title: 'task in one' });
    await db2.models.Task.create({ userId: id, title: 'task in two' });

    await user1.update({ name: 'renamed in one' });

    const in1 = await db1.models.User.findByPk(id, { include: ['tasks'] });
    const in2 = await db2.models.User.findByPk(id, { include: ['tasks'] });
    expect({ name: in1?.name, tasks: in1?.tasks?.map((task) => task.title) }).toEqual({ name: 'renamed in one', tasks: ['task in one'] });
    expect({ name: in2?.name, tasks: in2?.tasks?.map((task) => task.title) }).toEqual({ name: null, tasks: ['task in two'] });
    const owner = await db2.models.Task.findOne({ where: { userId: id }, include: ['user'] });
    expect(owner?.user?.name).toBeNull();
  });

  it('closing one leaves the other working, and close() is safe to call twice', async () => {
    const a = createDatabase({ url: first.url }, {});
    const b = createDatabase({ url: second.url }, {});
    await a.models.User.count();
    await b.models.User.count();

    await Promise.all([a.close(), a.close()]);
    await expect(a.close()).resolves.toBeUndefined();

    expect(await b.models.User.count()).toBeGreaterThanOrEqual(1);
    await expect(a.models.User.count()).rejects.toThrow();
    await b.close();
  });
});

describe('connecting lazily', () => {
  let probe: TestDatabase;
  let admin: Database;

  beforeAll(async () => {
    probe = await createTestDatabase({ migrated: false });
    admin = createDatabase({ url: probe.url }, {});
  });
  afterAll(async () => {
    await admin.close();
    await probe.drop();
  });

  async function connectionsNamed(applicationName: string): Promise<number> {
    const [row] = await admin.sequelize.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1`,
      {
        bind: [applicationName],
        type: QueryTypes.SELECT,
      },
    );
    return row!.n;
  }

  it('opens no connection until the first query', async () => {
    const applicationName = `tododb-lazy-${process.pid}`;
    const db = createDatabase({ url: probe.url, applicationName }, {});
    try {
      expect(await connectionsNamed(applicationName)).toBe(0);
      await db.sequelize.query('SELECT 1');
      expect(await connectionsNamed(applicationName)).toBe(1);
    } finally {
      await db.close();
    }
    // Closing ends the pool's connection too.
    await expect.poll(() => connectionsNamed(applicationName)).toBe(0);
  });

  it('returns synchronously for a server that is not there, and the first query fails as unavailable', async () => {
    const port = await freePort();
    const db = createDatabase({ url: `postgres://app:secret@127.0.0.1:${port}/app`, connectTimeoutMs: 2000 }, {});
    try {
      expect(typeof (db as unknown as { then?: unknown }).then).toBe('undefined');
      expect(db.target).toBe(`postgres://app:***@127.0.0.1:${port}/app`);
      const error = await db.models.User.count().then(
        () => undefined,
        (e: unknown) => e,
      );
      // Model calls take their connection from tododb's pool, so they fail with tododb's error.
      expect(error).toBeInstanceOf(DatabaseUnavailableError);
      expect(translateError(error)).toBe(error);
      expect((error as DatabaseUnavailableError).code).toBe('DATABASE_UNAVAILABLE');
    } finally {
      await db.close();
    }
  });
});
