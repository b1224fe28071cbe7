// A closed handle: every call is refused with DATABASE_CLOSED (a TododbError, never a driver's
// or Sequelize's own error), health says so, close() may be called again, and a transaction
// that was running when close() was called is allowed to finish.
import { QueryTypes } from 'sequelize';
import { describe, expect, it } from 'vitest';
import { checkHealth, createDatabase, createMigrator, TododbError, type Database } from '../src/index.js';
import { admin, useDatabaseCopy } from './support/testDatabase.js';

const PASSWORD = 'pw_MARKER_c1o5ed';
/** A promise and the function that resolves it, to order events without sleeping. */
function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const SOME_ID = '01a22267-4a5f-7007-87cb-2f1219c2d539';

/** A handle on the test database, with a password in its URL that must never show up (the server trusts us anyway). */
function open(url: string): Database {
  const withPassword = new URL(url);
  withPassword.password = PASSWORD;
  return createDatabase({ url: withPassword.toString(), pool: { max: 2 } }, {});
}

/** Every kind of call a user can make on a handle, by name. */
function everyCall(db: Database): Record<string, () => Promise<unknown>> {
  return {
    'users.create': () => db.users.create({ email: 'closed@example.com' }),
    'users.get': () => db.users.get(SOME_ID),
    'users.getByEmail': () => db.users.getByEmail('closed@example.com'),
    'users.delete': () => db.users.delete(SOME_ID),
    'tasks.create': () => db.tasks.create(SOME_ID, { title: 'closed' }),
    'tasks.list': () => db.tasks.list(SOME_ID),
    'tasks.get': () => db.tasks.get(SOME_ID, SOME_ID),
    'tasks.update': () => db.tasks.update(SOME_ID, SOME_ID, { isCompleted: true }),
    'tasks.delete': () => db.tasks.delete(SOME_ID, SOME_ID),
    transaction: () => db.transaction(async (tx) => tx.users.get(SOME_ID)),
    'User.findAll': () => db.models.User.findAll(),
    'User.count': () => db.models.User.count(),
    'Task.create': () => db.models.Task.create({ userId: SOME_ID, title: 'closed' }),
    'sequelize.query': () => db.sequelize.query('SELECT 1', { type: QueryTypes.SELECT }),
    'migrator.up': () => createMigrator(db).up(),
    'migrator.pending': () => createMigrator(db).pending(),
    'migrator.status': () => createMigrator(db).status(),
  };
}

async function expectAllClosed(db: Database): Promise<void> {
  for (const [name, call] of Object.entries(everyCall(db))) {
    const error = await call().then(
      () => expect.fail(`${name} succeeded on a closed handle`),
      (caught: unknown) => caught,
    );
    expect(error, name).toBeInstanceOf(TododbError);
    expect(error, name).toMatchObject({ code: 'DATABASE_CLOSED' });
    expect((error as Error).message, name).not.toContain(PASSWORD);
  }
}

describe('a closed handle', () => {
  const testDb = useDatabaseCopy();

  it('refuses every call with DATABASE_CLOSED after it was used, models and migrator included', async () => {
    const db = open(testDb.url);
    // Use every part first, so that the pool, Sequelize and the models exist when it closes.
    await db.users.create({ email: 'before-close@example.com' });
    await db.models.User.count();
    await db.transaction(async (tx) => tx.users.getByEmail('before-close@example.com'));
    await createMigrator(db).pending();
    await db.close();
    await expectAllClosed(db);
  });

  it('refuses every call with DATABASE_CLOSED when it was closed before its first use', async () => {
    const db = open(testDb.url);
    await db.close();
    await expectAllClosed(db);
  });

  it('reports status error from checkHealth, saying it is closed, without the password', async () => {
    const db = open(testDb.url);
    expect((await checkHealth(db)).status).toBe('ok');
    await db.close();
    const report = await checkHealth(db);
    expect(report.status).toBe('error');
    expect(report.reason).toMatch(/closed/);
    expect(JSON.stringify(report)).not.toContain(PASSWORD);
  });

  it('accepts close() twice, one after the other and both at once', async () => {
    const db = open(testDb.url);
    await db.users.create({ email: 'twice@example.com' });
    await Promise.all([db.close(), db.close()]);
    await db.close();
    expect(db.stats()).toMatchObject({ inUse: 0, idle: 0 });
  });
});

describe('close() while a transaction runs', () => {
  const testDb = useDatabaseCopy();

  it('lets the transaction finish and commit, refuses new work meanwhile, and resolves after it', async () => {
    const db = open(testDb.url);
    const events: string[] = [];
    let closing: Promise<void> | undefined;
    const closeCalled = deferred<string>();
    const carryOn = deferred();
    const running = db.transaction(async (tx) => {
      const created = await tx.users.create({ email: 'finishing@example.com' });
      closing = db.close().then(() => {
        events.push('closed');
      });
      closeCalled.resolve(created.id);
      await carryOn.promise;
      // The transaction may still use everything it could before close().
      await tx.tasks.create(created.id, { title: 'through tx' });
      await db.tasks.create(created.id, { title: 'through db, joined' });
      await tx.models.Task.create({ userId: created.id, title: 'through a model' }, { transaction: tx.transaction });
      await db.transaction(async (nested) => {
        await nested.tasks.create(created.id, { title: 'in a savepoint' });
      });
      events.push('callback done');
      return created;
    });
    // Meanwhile work from outside the transaction is refused at once.
    const userId = await closeCalled.promise;
    expect(await db.users.get(userId).catch((error: unknown) => error)).toMatchObject({ code: 'DATABASE_CLOSED' });
    expect(await db.transaction(async () => 'new').catch((error: unknown) => error)).toMatchObject({ code: 'DATABASE_CLOSED' });
    carryOn.resolve();
    const user = await running;
    events.push('transaction resolved');
    await closing;
    expect(events).toEqual(['callback done', 'transaction resolved', 'closed']);
    const titles = await admin(testDb.url, async (client) => {
      const { rows } = await client.query<{ title: string }>(`SELECT title FROM tasks WHERE user_id = $1 ORDER BY title`, [user.id]);
      return rows.map((row) => row.title);
    });
    expect(titles).toEqual(['in a savepoint', 'through a model', 'through db, joined', 'through tx']);
    expect(db.stats()).toMatchObject({ inUse: 0, idle: 0 });
  });
});
