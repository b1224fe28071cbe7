import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError, type Database, type TaskRecord, type UserRecord } from '../src/index.js';
import { snapshot } from './support/snapshot.js';
import { useTestDatabase } from './support/testDatabase.js';

// Every task operation that names a task, called by a user who does not own it.
const CROSS_USER_CALLS: Record<string, (db: Database, callerId: string, taskId: string) => Promise<unknown>> = {
  get: (db, callerId, taskId) => db.tasks.get(callerId, taskId),
  'update title': (db, callerId, taskId) => db.tasks.update(callerId, taskId, { title: 'stolen' }),
  'update completion': (db, callerId, taskId) => db.tasks.update(callerId, taskId, { isCompleted: true }),
  'update description to null': (db, callerId, taskId) => db.tasks.update(callerId, taskId, { description: null }),
  'update with no change': (db, callerId, taskId) => db.tasks.update(callerId, taskId, {}),
  delete: (db, callerId, taskId) => db.tasks.delete(callerId, taskId),
};

describe("one user never reaches another user's tasks", () => {
  const t = useTestDatabase();
  let db: Database;
  let alice: UserRecord;
  let bob: UserRecord;
  let aliceTask: TaskRecord;
  let bobTask: TaskRecord;

  beforeAll(async () => {
    db = t.db;
    alice = await db.users.create({ email: 'alice@example.com' });
    bob = await db.users.create({ email: 'bob@example.com' });
    aliceTask = await db.tasks.create(alice.id, { title: 'alice private', description: 'secret' });
    bobTask = await db.tasks.create(bob.id, { title: 'bob private' });
  });

  const pairs = () => [
    { caller: alice, owner: 'bob', task: bobTask },
    { caller: bob, owner: 'alice', task: aliceTask },
  ];

  for (const [name, call] of Object.entries(CROSS_USER_CALLS)) {
    it(`${name}: another user's task is not found, exactly like a task that does not exist, and nothing changes`, async () => {
      for (const { caller, task } of pairs()) {
        const before = await snapshot(db);
        const crossUser = await call(db, caller.id, task.id).then(
          () => 'resolved',
          (error: unknown) => error,
        );
        const missing = await call(db, caller.id, randomUUID()).then(
          () => 'resolved',
          (error: unknown) => error,
        );
        expect(crossUser).toBeInstanceOf(NotFoundError);
        expect(missing).toBeInstanceOf(NotFoundError);
        // Indistinguishable: same class, code, entity and message.
        const shape = (error: NotFoundError) => ({ name: error.name, code: error.code, entity: error.entity, message: error.message });
        expect(shape(crossUser as NotFoundError)).toEqual(shape(missing as NotFoundError));
        expect(await snapshot(db)).toEqual(before);
      }
    });
  }

  it("list returns only the caller's tasks, whatever the filter or page size", async () => {
    for (const { caller, task } of pairs()) {
      expect((await db.tasks.list(caller.id)).items.length).toBeGreaterThan(0);
      for (const options of [{}, { completed: false }, { completed: true }, { limit: 1 }, { limit: 100 }]) {
        const page = await db.tasks.list(caller.id, options);
        expect(page.items.every((item) => item.userId === caller.id)).toBe(true);
        expect(page.items.map((item) => item.id)).not.toContain(task.id);
      }
    }
  });

  it("a cursor taken from one user's list never pages into another's", async () => {
    for (let i = 0; i < 3; i += 1) await db.tasks.create(alice.id, { title: `alice ${i}` });
    const first = await db.tasks.list(alice.id, { limit: 1 });
    expect(first.nextCursor).not.toBeNull();
    const page = await db.tasks.list(bob.id, { cursor: first.nextCursor, limit: 100 });
    expect(page.items.map((item) => item.id)).toContain(bobTask.id); // Bob's older task, and only Bob's
    expect(page.items.every((item) => item.userId === bob.id)).toBe(true);
  });

  it('create puts the task under the caller only', async () => {
    const task = await db.tasks.create(bob.id, { title: 'mine' });
    expect(task.userId).toBe(bob.id);
    await expect(db.tasks.get(alice.id, task.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('a task of an unknown user cannot be created, and nothing is written', async () => {
    const before = await snapshot(db);
    await expect(db.tasks.create(randomUUID(), { title: 'orphan' })).rejects.toMatchObject({ code: 'NOT_FOUND', entity: 'user' });
    expect(await snapshot(db)).toEqual(before);
  });

  it("deleting a user removes that user's tasks and nobody else's", async () => {
    const carol = await db.users.create({ email: 'carol@example.com' });
    await db.tasks.create(carol.id, { title: 'carol 1' });
    await db.tasks.create(carol.id, { title: 'carol 2' });
    const before = await snapshot(db);
    await db.users.delete(carol.id);
    const after = await snapshot(db);
    expect(after.users).toHaveLength(before.users.length - 1);
    expect(after.tasks).toHaveLength(before.tasks.length - 2);
    expect((await db.tasks.list(carol.id)).items).toEqual([]);
    await expect(db.users.get(carol.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(db.users.delete(carol.id)).rejects.toBeInstanceOf(NotFoundError);
    expect((await db.tasks.get(alice.id, aliceTask.id)).title).toBe('alice private');
  });
});
