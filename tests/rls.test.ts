// Row-level security proven through a real application role (issue 12): a login that is not the
// tables' owner, has no BYPASSRLS and only DML grants, as `grantApplicationRole` makes it. The
// service layer's own `WHERE user_id = …` would hide other users' rows anyway, so the proof is in
// queries that scope nothing themselves: whatever they return, the policy let through.
import { randomUUID } from 'node:crypto';
import { QueryTypes } from 'sequelize';
import { beforeAll, describe, expect, it } from 'vitest';
import { grantApplicationRole, NotFoundError, translateError, type Database, type TaskRecord, type UserRecord } from '../src/index.js';
import { sqlState } from '../src/errors/sqlState.js';
import { ACTING_USER_SETTING } from '../src/schema/names.js';
import { useTwoRoleDatabase, type TwoRoleDatabase } from './support/twoRoleDatabase.js';

const setup = useTwoRoleDatabase();
let s: TwoRoleDatabase;
/** The application: its own role, `rowLevelSecurity: true`. */
let app: Database;
/** The owner, which ran the migrations. */
let owner: Database;
let ada: UserRecord;
let bob: UserRecord;
let adaTasks: TaskRecord[];
let bobTasks: TaskRecord[];

const UNSCOPED = 'SELECT id, user_id AS "userId" FROM tasks';
type Row = { id: string; userId: string };
const usersOf = (rows: readonly { userId: string }[]) => [...new Set(rows.map((row) => row.userId))].sort();
const idsOf = (rows: readonly { id: string }[]) => rows.map((row) => row.id).sort();

beforeAll(async () => {
  s = setup();
  app = s.open(s.app, { rowLevelSecurity: true });
  owner = s.open(s.owner);
  ada = await app.users.create({ email: 'ada@example.com' });
  bob = await app.users.create({ email: 'bob@example.com' });
  adaTasks = [await app.tasks.create(ada.id, { title: 'ada one' }), await app.tasks.create(ada.id, { title: 'ada two' })];
  bobTasks = [await app.tasks.create(bob.id, { title: 'bob one' })];
});

/** What a call rejected with, translated; fails the test when it resolved. */
async function refusal(call: Promise<unknown>): Promise<Error> {
  return call.then(
    () => expect.fail('expected a refusal'),
    (error: unknown) => translateError(error),
  );
}

describe('an application role under row-level security', () => {
  it('gets no task at all from an unscoped query outside a transaction', async () => {
    // The owner sees both users' tasks: there is something to hide.
    expect(usersOf(await owner.sequelize.query<Row>(UNSCOPED, { type: QueryTypes.SELECT }))).toEqual(
      expect.arrayContaining([ada.id, bob.id]),
    );
    expect(await app.sequelize.query(UNSCOPED, { type: QueryTypes.SELECT })).toEqual([]);
    expect(await app.models.Task.findAll()).toEqual([]);
    expect(await app.models.Task.count()).toBe(0);
  });

  it('inside a db.transaction() acting for a user, an unscoped query gets exactly that user’s tasks', async () => {
    await app.transaction(async (tx) => {
      // No call for a user yet: no acting user, no task.
      expect(await tx.models.Task.count({ transaction: tx.transaction })).toBe(0);
      await tx.tasks.list(ada.id);
      expect(idsOf(await tx.models.Task.findAll({ transaction: tx.transaction }))).toEqual(idsOf(adaTasks));
      expect(idsOf(await app.sequelize.query<Row>(UNSCOPED, { transaction: tx.transaction, type: QueryTypes.SELECT }))).toEqual(
        idsOf(adaTasks),
      );
      // A model call without { transaction } joins it, acting user included.
      expect(idsOf(await app.models.Task.findAll())).toEqual(idsOf(adaTasks));
      // The acting user follows the calls: now Bob.
      await tx.tasks.get(bob.id, bobTasks[0]!.id);
      expect(idsOf(await tx.models.Task.findAll({ transaction: tx.transaction }))).toEqual(idsOf(bobTasks));
    });
  });

  it('db.transaction(fn, { actingUser }) acts for that user from the start, for model calls and raw SQL', async () => {
    await app.transaction(
      async (tx) => {
        expect(idsOf(await tx.models.Task.findAll({ transaction: tx.transaction }))).toEqual(idsOf(bobTasks));
        expect(idsOf(await app.sequelize.query<Row>(UNSCOPED, { transaction: tx.transaction, type: QueryTypes.SELECT }))).toEqual(
          idsOf(bobTasks),
        );
      },
      { actingUser: bob.id },
    );
    await expect(app.transaction(async () => undefined, { actingUser: 'not-a-uuid' })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      field: 'actingUser',
    });
  });

  it('serves every call of the service layer', async () => {
    const carol = await app.users.create({ email: ' Carol@Example.com ', name: 'Carol' });
    expect(await app.users.get(carol.id)).toEqual(carol);
    expect(await app.users.getByEmail('CAROL@example.com')).toEqual(carol);
    const first = await app.tasks.create(carol.id, { title: 'first' });
    const second = await app.tasks.create(carol.id, { title: 'second', description: 'more' });
    expect(await app.tasks.get(carol.id, first.id)).toEqual(first);
    const done = await app.tasks.update(carol.id, first.id, { isCompleted: true, title: 'first, done' });
    expect(done).toMatchObject({ id: first.id, isCompleted: true, title: 'first, done' });
    const page = await app.tasks.list(carol.id, { limit: 1 });
    expect(page.items).toEqual([second]);
    expect((await app.tasks.list(carol.id, { limit: 1, cursor: page.nextCursor })).items).toEqual([done]);
    expect((await app.tasks.list(carol.id, { completed: true })).items).toEqual([done]);
    await app.tasks.delete(carol.id, second.id);
    await expect(app.tasks.get(carol.id, second.id)).rejects.toBeInstanceOf(NotFoundError);

    // Another user's task is not found, whatever the call, and stays as it was.
    const adas = adaTasks[0]!;
    await expect(app.tasks.get(carol.id, adas.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(app.tasks.update(carol.id, adas.id, { title: 'taken over' })).rejects.toBeInstanceOf(NotFoundError);
    await expect(app.tasks.delete(carol.id, adas.id)).rejects.toBeInstanceOf(NotFoundError);
    expect(await owner.tasks.get(ada.id, adas.id)).toEqual(adas);

    // A task for a user who does not exist is refused by the foreign key, as without row-level security.
    await expect(app.tasks.create(randomUUID(), { title: 'orphan' })).rejects.toMatchObject({ code: 'NOT_FOUND', entity: 'user' });
    // Deleting a user takes the tasks along: the cascade runs as the owner, past the policy.
    await app.users.delete(carol.id);
    await expect(app.users.get(carol.id)).rejects.toBeInstanceOf(NotFoundError);
    expect(await owner.models.Task.count({ where: { userId: carol.id } })).toBe(0);
  });

  it('refuses, by the policy’s WITH CHECK, a write that would put a task in another user’s name', async () => {
    const actingForAda = (work: (tx: Parameters<Parameters<Database['transaction']>[0]>[0]) => Promise<unknown>) =>
      app.transaction(async (tx) => {
        await tx.tasks.list(ada.id);
        return work(tx);
      });
    const refused = [
      await refusal(actingForAda((tx) => tx.models.Task.create({ userId: bob.id, title: 'planted' }, { transaction: tx.transaction }))),
      await refusal(
        actingForAda((tx) => tx.models.Task.update({ userId: bob.id }, { where: { id: adaTasks[0]!.id }, transaction: tx.transaction })),
      ),
      // Without an acting user, no row passes the check.
      await refusal(
        app.sequelize.query(`INSERT INTO tasks (id, user_id, title) VALUES ($1, $2, 'planted')`, { bind: [randomUUID(), bob.id] }),
      ),
    ];
    for (const error of refused) {
      expect(error).toMatchObject({ code: 'DATABASE_ERROR' });
      expect(sqlState(error.cause)).toBe('42501');
      expect((error.cause as Error).message).toMatch(/row-level security/);
    }
    // Another user's row is not even there to update.
    await actingForAda(async (tx) => {
      const [affected] = await tx.models.Task.update({ title: 'renamed' }, { where: { id: bobTasks[0]!.id }, transaction: tx.transaction });
      expect(affected).toBe(0);
    });
    expect(await owner.tasks.list(bob.id)).toMatchObject({ items: bobTasks });
    expect(await owner.tasks.get(ada.id, adaTasks[0]!.id)).toEqual(adaTasks[0]);
  });

  it('leaves no acting user on a pooled connection after any call (pool.max 1: the same connection each time)', async () => {
    const one = s.open(s.app, { rowLevelSecurity: true, pool: { max: 1, acquireTimeoutMs: 2000 } });
    const probe = async () =>
      (
        await one.sequelize.query<{ pid: number; acting: string | null }>(
          `SELECT pg_backend_pid() AS pid, current_setting('${ACTING_USER_SETTING}', true) AS acting`,
          {
            type: QueryTypes.SELECT,
          },
        )
      )[0]!;
    const { pid } = await probe();
    const steps: [string, () => Promise<unknown>][] = [
      ['tasks.get', () => one.tasks.get(ada.id, adaTasks[0]!.id)],
      ['tasks.list', () => one.tasks.list(bob.id)],
      ['tasks.create that fails in the database', () => refusal(one.tasks.create(randomUUID(), { title: 'orphan' }))],
      ['a committed db.transaction()', () => one.transaction((tx) => tx.tasks.list(ada.id))],
      [
        'a rolled-back db.transaction()',
        () =>
          refusal(
            one.transaction(async (tx) => {
              await tx.tasks.list(bob.id);
              throw new Error('undo');
            }),
          ),
      ],
    ];
    for (const [what, step] of steps) {
      await step();
      const after = await probe();
      expect(after.pid, what).toBe(pid);
      expect(after.acting ?? '', what).toBe('');
      expect(await one.models.Task.count(), what).toBe(0);
    }
  });

  it('many users in parallel over fewer connections each see only their own tasks', async () => {
    const shared = s.open(s.app, { rowLevelSecurity: true, pool: { max: 4 } });
    const users = await Promise.all(Array.from({ length: 16 }, (_, n) => shared.users.create({ email: `parallel-${n}@example.com` })));
    await Promise.all(
      users.map(async (user, n) => {
        const mine: string[] = [];
        for (let round = 0; round < 8; round += 1) {
          mine.push((await shared.tasks.create(user.id, { title: `user ${n} round ${round}` })).id);
          const page = await shared.tasks.list(user.id, { limit: 100 });
          expect(idsOf(page.items)).toEqual([...mine].sort());
          // Unscoped, in a transaction acting for this user: exactly this user's tasks.
          const seen = await shared.transaction(async (tx) => {
            await tx.tasks.get(user.id, mine[0]!);
            return tx.models.Task.findAll({ transaction: tx.transaction });
          });
          expect(usersOf(seen)).toEqual([user.id]);
          expect(idsOf(seen)).toEqual([...mine].sort());
          // Unscoped, outside one: nothing, whichever connection served whom before.
          expect(await shared.models.Task.count()).toBe(0);
        }
      }),
    );
  });

  it('without rowLevelSecurity, the application role sees no task and can write none (it must be turned on)', async () => {
    const off = s.open(s.app);
    expect((await off.tasks.list(ada.id)).items).toEqual([]);
    await expect(off.tasks.get(ada.id, adaTasks[0]!.id)).rejects.toBeInstanceOf(NotFoundError);
    const error = await refusal(off.tasks.create(ada.id, { title: 'no acting user' }));
    expect(sqlState(error.cause)).toBe('42501');
    // The message says what to turn on.
    expect(error.message).toMatch(/row-level security policy refused the row.*rowLevelSecurity: true/);
    // Users have no policy: those calls need no acting user.
    expect(await off.users.get(ada.id)).toEqual(ada);
  });

  it('leaves the owner unaffected, with rowLevelSecurity on or off', async () => {
    for (const rowLevelSecurity of [false, true]) {
      const db = s.open(s.owner, { rowLevelSecurity });
      expect(usersOf(await db.models.Task.findAll()), `rowLevelSecurity ${rowLevelSecurity}`).toEqual(
        expect.arrayContaining([ada.id, bob.id]),
      );
      await db.transaction(async (tx) => {
        await tx.tasks.list(ada.id);
        expect(usersOf(await tx.models.Task.findAll({ transaction: tx.transaction }))).toEqual(expect.arrayContaining([ada.id, bob.id]));
      });
      expect(await db.tasks.get(bob.id, bobTasks[0]!.id)).toEqual(bobTasks[0]);
    }
  });
});

describe('the acting user and savepoints', () => {
  it('after a nested db.transaction() acting for another user rolls back, calls act for their own user again', async () => {
    // ROLLBACK TO SAVEPOINT puts app.user_id back to what it was before the savepoint.
    await app.transaction(async (tx) => {
      await tx.tasks.list(ada.id);
      await refusal(
        app.transaction(async (nested) => {
          await nested.tasks.list(bob.id);
          throw new Error('undo');
        }),
      );
      expect(await tx.tasks.get(bob.id, bobTasks[0]!.id)).toEqual(bobTasks[0]);
      expect(idsOf(await tx.models.Task.findAll({ transaction: tx.transaction }))).toEqual(idsOf(bobTasks));
    });
    // The first acting user set in a savepoint that rolls back: none afterwards, until the next call sets it.
    await app.transaction(async (tx) => {
      await refusal(
        app.transaction(async (nested) => {
          await nested.tasks.list(ada.id);
          throw new Error('undo');
        }),
      );
      expect(await tx.tasks.get(ada.id, adaTasks[0]!.id)).toEqual(adaTasks[0]);
    });
    // A savepoint that is released keeps its acting user, and the next call for another user sets that one.
    await app.transaction(async (tx) => {
      await tx.tasks.list(ada.id);
      await app.transaction((nested) => nested.tasks.list(bob.id));
      expect(idsOf(await tx.models.Task.findAll({ transaction: tx.transaction }))).toEqual(idsOf(bobTasks));
      expect(await tx.tasks.get(ada.id, adaTasks[0]!.id)).toEqual(adaTasks[0]);
    });
  });
});

describe('whatever plan the server picks', () => {
  it('get and list return the right rows, and only those, with index scans off for the role', async () => {
    // The acting user is set by a statement of its own before the query, in one transaction: no
    // plan can read the rows before the user is known. Index scans off forces the other plans.
    const seqScans = await s.createRole('seqscan', 'NOSUPERUSER NOBYPASSRLS');
    await s.asSuperuser((client) => client.query(`ALTER ROLE "${seqScans.name}" SET enable_indexscan = off`));
    await s.asSuperuser((client) => client.query(`ALTER ROLE "${seqScans.name}" SET enable_bitmapscan = off`));
    await grantApplicationRole(owner, seqScans.name);
    const db = s.open(seqScans, { rowLevelSecurity: true });

    const plan = await db.transaction(async (tx) => {
      await tx.tasks.list(ada.id);
      const [setting] = await db.sequelize.query<{ enable_indexscan: string }>('SHOW enable_indexscan', {
        transaction: tx.transaction,
        type: QueryTypes.SELECT,
      });
      expect(setting!.enable_indexscan).toBe('off');
      const rows = await db.sequelize.query<{ 'QUERY PLAN': string }>(`EXPLAIN SELECT * FROM tasks WHERE id = $1 AND user_id = $2`, {
        bind: [adaTasks[0]!.id, ada.id],
        transaction: tx.transaction,
        type: QueryTypes.SELECT,
      });
      return rows.map((row) => row['QUERY PLAN']).join('\n');
    });
    expect(plan).toMatch(/Seq Scan/);
    expect(plan).not.toMatch(/Index/);

    for (const [user, tasks] of [
      [ada, adaTasks],
      [bob, bobTasks],
    ] as const) {
      for (const task of tasks) expect(await db.tasks.get(user.id, task.id)).toEqual(task);
      expect(idsOf((await db.tasks.list(user.id)).items)).toEqual(idsOf(tasks));
      const seen = await db.transaction(async (tx) => {
        await tx.tasks.list(user.id);
        return tx.models.Task.findAll({ transaction: tx.transaction });
      });
      expect(usersOf(seen)).toEqual([user.id]);
    }
    await expect(db.tasks.get(bob.id, adaTasks[0]!.id)).rejects.toBeInstanceOf(NotFoundError);
    expect(await db.models.Task.count()).toBe(0);
  });
});
