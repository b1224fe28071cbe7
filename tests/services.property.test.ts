import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { QueryTypes } from 'sequelize';
import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, type Database } from '../src/index.js';
import { useTestDatabase } from './support/testDatabase.js';

// A model of what the service layer must do, as simple as it can be: two maps.
interface Model {
  users: Map<string, { email: string }>;
  tasks: Map<string, { userId: string; title: string; description: string | null; isCompleted: boolean }>;
}

interface Ids {
  users: string[]; // every user id ever created in this run, deleted ones included
  tasks: string[];
}

// A reference to an id: an index into the ids seen so far, or an id that never existed.
const ref = fc.oneof({ weight: 5, arbitrary: fc.nat() }, { weight: 1, arbitrary: fc.constant(-1) });
const pick = (list: string[], index: number) => (index < 0 || list.length === 0 ? randomUUID() : list[index % list.length]!);

const title = fc.string({ minLength: 1, maxLength: 20 }).filter((s) => s.trim().length > 0 && !s.includes('\0'));
const changes = fc.record(
  { title, description: fc.option(fc.string({ maxLength: 30 }).filter((s) => !s.includes('\0'))), isCompleted: fc.boolean() },
  { requiredKeys: [] },
);

// Weighted so that runs build up several users with tasks before they cross each other.
const operation = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('createUser' as const), n: fc.integer({ min: 0, max: 5 }), upper: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('deleteUser' as const), user: ref }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('createTask' as const), user: ref, title, completed: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('getTask' as const), user: ref, task: ref }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('updateTask' as const), user: ref, task: ref, changes }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('deleteTask' as const), user: ref, task: ref }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('listTasks' as const), user: ref, completed: fc.option(fc.boolean(), { nil: undefined }) }),
  },
);
type Operation = typeof operation extends fc.Arbitrary<infer T> ? T : never;

/** Runs one operation on the service and on the model; checks both agree on the outcome. */
async function step(db: Database, model: Model, ids: Ids, op: Operation): Promise<void> {
  const outcome = async <T>(promise: Promise<T>) =>
    promise.then(
      (value) => ({ ok: true as const, value }),
      (error: unknown) => ({ ok: false as const, error }),
    );
  switch (op.kind) {
    case 'createUser': {
      const email = `user${op.n}@example.com`;
      const result = await outcome(db.users.create({ email: op.upper ? email.toUpperCase() : email }));
      const taken = [...model.users.values()].some((user) => user.email === email);
      if (taken) {
        expect(result.ok ? 'created' : result.error).toBeInstanceOf(ConflictError);
      } else {
        expect(result.ok).toBe(true);
        const id = (result as { value: { id: string } }).value.id;
        model.users.set(id, { email });
        ids.users.push(id);
      }
      return;
    }
    case 'deleteUser': {
      const userId = pick(ids.users, op.user);
      const result = await outcome(db.users.delete(userId));
      if (model.users.delete(userId)) {
        expect(result.ok).toBe(true);
        for (const [taskId, task] of model.tasks) if (task.userId === userId) model.tasks.delete(taskId);
      } else {
        expect(result.ok ? 'deleted' : result.error).toBeInstanceOf(NotFoundError);
      }
      return;
    }
    case 'createTask': {
      const userId = pick(ids.users, op.user);
      const result = await outcome(db.tasks.create(userId, { title: op.title, isCompleted: op.completed }));
      if (model.users.has(userId)) {
        expect(result.ok).toBe(true);
        const id = (result as { value: { id: string } }).value.id;
        model.tasks.set(id, { userId, title: op.title.trim(), description: null, isCompleted: op.completed });
        ids.tasks.push(id);
      } else {
        expect(result.ok ? 'created' : result.error).toMatchObject({ code: 'NOT_FOUND', entity: 'user' });
      }
      return;
    }
    case 'getTask':
    case 'updateTask':
    case 'deleteTask': {
      const userId = pick(ids.users, op.user);
      const taskId = pick(ids.tasks, op.task);
      const owned = model.tasks.get(taskId)?.userId === userId;
      const call: Promise<unknown> =
        op.kind === 'getTask'
          ? db.tasks.get(userId, taskId)
          : op.kind === 'updateTask'
            ? db.tasks.update(userId, taskId, op.changes)
            : db.tasks.delete(userId, taskId);
      const result = await outcome(call);
      if (!owned) {
        expect(result.ok ? 'succeeded' : result.error).toBeInstanceOf(NotFoundError);
        return;
      }
      expect(result.ok).toBe(true);
      if (op.kind === 'updateTask') {
        const task = model.tasks.get(taskId)!;
        if (op.changes.title !== undefined) task.title = op.changes.title.trim();
        if (op.changes.description !== undefined) task.description = op.changes.description;
        if (op.changes.isCompleted !== undefined) task.isCompleted = op.changes.isCompleted;
      }
      if (op.kind === 'deleteTask') model.tasks.delete(taskId);
      return;
    }
    case 'listTasks': {
      const userId = pick(ids.users, op.user);
      const page = await db.tasks.list(userId, { limit: 100, completed: op.completed });
      const expected = [...model.tasks]
        .filter(([, task]) => task.userId === userId && (op.completed === undefined || task.isCompleted === op.completed))
        .map(([id]) => id);
      expect(page.items.map((item) => item.id).sort()).toEqual(expected.sort());
      return;
    }
  }
}

/** The whole database, compared with the model after every step. */
async function expectDatabaseMatches(db: Database, model: Model): Promise<void> {
  const users = await db.sequelize.query<{ id: string; email: string }>(`SELECT id, email FROM users`, { type: QueryTypes.SELECT });
  const tasks = await db.sequelize.query<{ id: string; user_id: string; title: string; description: string | null; is_completed: boolean }>(
    `SELECT id, user_id, title, description, is_completed FROM tasks`,
    { type: QueryTypes.SELECT },
  );
  expect(new Map(users.map((user) => [user.id, { email: user.email }]))).toEqual(model.users);
  expect(
    new Map(
      tasks.map((task) => [
        task.id,
        { userId: task.user_id, title: task.title, description: task.description, isCompleted: task.is_completed },
      ]),
    ),
  ).toEqual(model.tasks);
}

describe('the service layer against an in-memory model', () => {
  const t = useTestDatabase();

  it('agrees with the model after every step of random call sequences by several users', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 30 }), async (operations) => {
        await t.db.sequelize.query('TRUNCATE users CASCADE');
        const model: Model = { users: new Map(), tasks: new Map() };
        const ids: Ids = { users: [], tasks: [] };
        for (const op of operations) {
          await step(t.db, model, ids, op);
          await expectDatabaseMatches(t.db, model);
        }
      }),
      { numRuns: 60 },
    );
  }, 120_000);
});
