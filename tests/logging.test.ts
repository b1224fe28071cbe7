// The `logging` option as an application's logger meets it: the (sql, durationMs) function as
// before, or one structured event per statement for service and model calls alike, never with a
// value; and Sequelize's warning about a failed commit goes to the hook, never to stderr.
import { QueryTypes } from 'sequelize';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, createDatabase, type Database, type DatabaseConfig, type QueryEvent, type WarningEvent } from '../src/index.js';
import { admin, useTestDatabase } from './support/testDatabase.js';

// A value callers pass; no event may contain it.
const MARKER = 'mkr4d2e8b';

/** Handles made by a test, closed after it. */
const opened: Database[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((db) => db.close()));
  vi.restoreAllMocks();
});

describe('logging', () => {
  const t = useTestDatabase();
  const open = (logging: DatabaseConfig['logging']): Database => {
    const db = createDatabase({ url: t.testDb.url, logging }, {});
    opened.push(db);
    return db;
  };

  it('still gives the function form each statement’s text and duration', async () => {
    const logged: [string, number | undefined][] = [];
    const db = open((sql, durationMs) => logged.push([sql, durationMs]));
    await db.users.create({ email: `fn-${MARKER}@example.com` });
    await db.models.User.count();
    expect(logged[0]![0]).toMatch(/^INSERT INTO "public"\."users" \(id, email, name\) VALUES \(\$1, \$2, \$3\)/);
    expect(logged[0]![1]).toBeGreaterThanOrEqual(0);
    expect(logged[1]![0]).toMatch(/^Executed \(default\): SELECT count\(\*\)/);
  });

  it('gives one event per statement, service and model calls alike, with the operation, row count and no value', async () => {
    const events: QueryEvent[] = [];
    const db = open({ onQuery: (event) => events.push(event) });
    const user = await db.users.create({ email: `${MARKER}@example.com`, name: MARKER });
    await db.tasks.create(user.id, { title: MARKER });
    await db.tasks.create(user.id, { title: `${MARKER} 2` });
    await db.tasks.list(user.id);
    const found = await db.models.User.findOne({ where: { email: `${MARKER}@example.com` } });
    expect(found?.id).toBe(user.id);
    await db.models.Task.create({ userId: user.id, title: `${MARKER} by model` });
    await db.transaction(async (tx) => tx.users.get(user.id));

    expect(events.map((event) => event.operation)).toEqual([
      'INSERT',
      'INSERT',
      'INSERT',
      'SELECT',
      'SELECT',
      'INSERT',
      'BEGIN',
      'SELECT',
      'COMMIT',
    ]);
    expect(events[0]).toMatchObject({
      sql: expect.stringMatching(/^INSERT INTO "public"\."users" .* VALUES \(\$1, \$2, \$3\)/),
      rowCount: 1,
    });
    expect(events[3]).toMatchObject({ sql: expect.stringContaining('FROM "public"."tasks" WHERE user_id = $1'), rowCount: 2 });
    // Sequelize writes the where value into its SQL: the event has `?` in its place.
    expect(events[4]!.sql).toMatch(/WHERE "User"\."email" = \? LIMIT \?;$/);
    expect(events[4]!.rowCount).toBe(1);
    expect(events[5]!.sql).toMatch(/^INSERT INTO "public"\."tasks" .*VALUES \(\$1,\$2,\$3,\$4,\$5,\$6\)/);
    expect(events[6]).toMatchObject({ sql: 'BEGIN ISOLATION LEVEL READ COMMITTED', rowCount: null });
    for (const event of events) {
      expect(event.durationMs).toBeGreaterThanOrEqual(0);
      expect(event.error).toBeUndefined();
    }
    expect(JSON.stringify(events)).not.toContain(MARKER);
  });

  it('describes a failed statement by its code and SQLSTATE, never by the server’s message', async () => {
    const events: QueryEvent[] = [];
    const db = open({ onQuery: (event) => events.push(event) });
    await db.users.create({ email: `dup-${MARKER}@example.com` });
    await expect(db.users.create({ email: `dup-${MARKER}@example.com` })).rejects.toMatchObject({ code: 'CONFLICT' });
    // The server's message for this one quotes the value: invalid input syntax for type uuid: "…".
    await expect(db.sequelize.query(`SELECT $1::uuid`, { bind: [MARKER] })).rejects.toThrow();

    const [, duplicate, badUuid] = events;
    expect(duplicate).toMatchObject({
      operation: 'INSERT',
      rowCount: null,
      error: { code: 'CONFLICT', sqlState: '23505', message: 'email is already taken' },
    });
    expect(badUuid).toMatchObject({ sql: 'SELECT $1::uuid', operation: 'SELECT', error: { code: 'VALIDATION_FAILED', sqlState: '22P02' } });
    expect(JSON.stringify(events)).not.toContain(MARKER);
  });

  it('keeps the statement going when the hook throws', async () => {
    const db = open({
      onQuery: () => {
        throw new Error('a broken logger');
      },
    });
    const user = await db.users.create({ email: `thrown-${MARKER}@example.com` });
    expect((await db.users.get(user.id)).id).toBe(user.id);
  });

  it('refuses a logging option of the wrong shape, naming the field', () => {
    const fieldOf = (logging: unknown) => {
      try {
        createDatabase({ url: t.testDb.url, logging: logging as DatabaseConfig['logging'] }, {});
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return (error as ConfigError).field;
      }
      return expect.fail('expected a ConfigError');
    };
    expect(fieldOf(true)).toBe('logging');
    expect(fieldOf([])).toBe('logging');
    expect(fieldOf({ onQuery: 'console' })).toBe('logging.onQuery');
    expect(fieldOf({ onQuerry: () => {} })).toBe('logging.onQuerry');
  });

  describe('a Sequelize transaction whose connection dies before COMMIT', () => {
    /** Starts a Sequelize transaction on `db`, kills its connection from outside, and commits it. */
    async function commitOnKilledConnection(db: Database): Promise<unknown> {
      const transaction = await db.sequelize.transaction();
      const [row] = await db.sequelize.query<{ pid: number }>('SELECT pg_backend_pid() AS pid', { transaction, type: QueryTypes.SELECT });
      // The second argument waits until the backend has gone.
      await admin(t.testDb.url, (client) => client.query('SELECT pg_terminate_backend($1, 10000)', [row!.pid]));
      return transaction.commit().then(
        () => expect.fail('the commit should fail'),
        (error: unknown) => error,
      );
    }

    it('reports Sequelize’s warning to onWarning, not to stderr', async () => {
      const warn = vi.spyOn(console, 'warn');
      const warnings: WarningEvent[] = [];
      const db = open({ onWarning: (event) => warnings.push(event) });
      expect(await commitOnKilledConnection(db)).toBeInstanceOf(Error);
      expect(warn).not.toHaveBeenCalled();
      expect(warnings).toEqual([
        {
          message: 'Committing a Sequelize transaction failed; its connection was closed, as its state is unknown',
          error: expect.objectContaining({ code: 'DATABASE_UNAVAILABLE' }),
        },
      ]);
      // The dead connection left the pool; the handle goes on.
      expect(await db.models.User.count()).toBeGreaterThanOrEqual(0);
      expect(db.stats()).toMatchObject({ inUse: 0 });
    });

    it('drops the warning without a hook', async () => {
      const warn = vi.spyOn(console, 'warn');
      const db = open(false);
      expect(await commitOnKilledConnection(db)).toBeInstanceOf(Error);
      expect(warn).not.toHaveBeenCalled();
    });
  });
});
