import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError, ValidationError, type Database, type UserRecord } from '../src/index.js';
import { snapshot } from './support/snapshot.js';
import { useTestDatabase } from './support/testDatabase.js';

const MALFORMED_IDS: unknown[] = [
  'not-a-uuid',
  '',
  '00000000-0000-0000-0000-00000000000',
  '00000000-0000-0000-0000-0000000000000',
  "' OR 1=1 --",
  '00000000-0000-0000-0000-00000000000\0',
  {},
  [],
  ['00000000-0000-0000-0000-000000000000'],
  { id: '00000000-0000-0000-0000-000000000000' },
  123,
  null,
  undefined,
];

const email = (length: number) => `${'a'.repeat(length - '@example.com'.length)}@example.com`;

/** A cursor of today's format (opaque to callers) around any text, to forge one. */
const forgedCursor = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
const SOME_UUID = '01a22267-4a5f-7007-87cb-2f1219c2d539';

describe('validation', () => {
  const sql: string[] = [];
  const t = useTestDatabase({ logging: (statement) => sql.push(statement) });
  let db: Database;
  let user: UserRecord;

  beforeAll(async () => {
    db = t.db;
    user = await db.users.create({ email: 'owner@example.com' });
  });
  beforeEach(() => {
    sql.length = 0;
  });

  /** The call fails with a ValidationError naming exactly `fields`, having sent no SQL and changed nothing. */
  async function expectRejected(call: () => Promise<unknown>, fields: string[]): Promise<void> {
    const before = await snapshot(db);
    sql.length = 0;
    const error = await call().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).code).toBe('VALIDATION_FAILED');
    expect((error as ValidationError).fields.sort()).toEqual([...fields].sort());
    expect(sql).toEqual([]);
    expect(await snapshot(db)).toEqual(before);
  }

  describe('ids are checked before any SQL is sent', () => {
    for (const id of MALFORMED_IDS) {
      it(`rejects ${JSON.stringify(id) ?? String(id)}`, async () => {
        const taskId = '01a22267-4a5f-7007-87cb-2f1219c2d539';
        await expectRejected(() => db.users.get(id as string), ['userId']);
        await expectRejected(() => db.users.delete(id as string), ['userId']);
        await expectRejected(() => db.tasks.create(id as string, { title: 'x' }), ['userId']);
        await expectRejected(() => db.tasks.list(id as string), ['userId']);
        await expectRejected(() => db.tasks.get(user.id, id as string), ['taskId']);
        await expectRejected(() => db.tasks.get(id as string, taskId), ['userId']);
        await expectRejected(() => db.tasks.update(user.id, id as string, { title: 'x' }), ['taskId']);
        await expectRejected(() => db.tasks.delete(user.id, id as string), ['taskId']);
      });
    }
  });

  describe('users', () => {
    it('accepts an email of 254 characters and rejects 255', async () => {
      const created = await db.users.create({ email: email(254) });
      expect(created.email).toHaveLength(254);
      expect(sql.some((statement) => statement.startsWith('INSERT INTO users'))).toBe(true); // the hook sees service SQL
      await expectRejected(() => db.users.create({ email: email(255) }), ['email']);
    });

    it('stores the email trimmed and lower-cased, and finds it regardless of case', async () => {
      const created = await db.users.create({ email: '  Grace.Hopper@Example.COM ', name: 'Grace' });
      expect(created.email).toBe('grace.hopper@example.com');
      expect((await db.users.getByEmail('GRACE.hopper@example.com  ')).id).toBe(created.id);
    });

    it('rejects an email taken in another case with a ConflictError and writes nothing', async () => {
      await db.users.create({ email: 'taken@example.com' });
      const before = await snapshot(db);
      const error = await db.users.create({ email: 'TAKEN@example.com' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConflictError);
      expect(error).toMatchObject({ code: 'CONFLICT', field: 'email' });
      expect(await snapshot(db)).toEqual(before);
    });

    for (const [label, input, fields] of [
      ['no email', {}, ['email']],
      ['a number as email', { email: 42 }, ['email']],
      ['an empty email', { email: '   ' }, ['email']],
      ['an email without @', { email: 'nobody.example.com' }, ['email']],
      ['an email with a space', { email: 'no body@example.com' }, ['email']],
      ['an email with NUL', { email: 'nul\0@example.com' }, ['email']],
      ['a name of 256 characters', { email: 'n@example.com', name: 'n'.repeat(256) }, ['name']],
      ['a name that is not a string', { email: 'n@example.com', name: 7 }, ['name']],
      ['a name with NUL', { email: 'n@example.com', name: 'a\0b' }, ['name']],
      ['an id', { email: 'n@example.com', id: '01a22267-4a5f-7007-87cb-2f1219c2d539' }, ['id']],
      ['timestamps', { email: 'n@example.com', createdAt: new Date(), updatedAt: new Date() }, ['createdAt', 'updatedAt']],
      ['several faults at once', { email: 'bad', name: 1, isAdmin: true }, ['email', 'name', 'isAdmin']],
    ] as const) {
      it(`rejects ${label}`, async () => {
        await expectRejected(() => db.users.create(input as never), [...fields]);
      });
    }

    for (const body of [null, [], 'ada@example.com', 5]) {
      it(`rejects a body of ${JSON.stringify(body)}`, async () => {
        await expectRejected(() => db.users.create(body as never), ['body']);
      });
    }
  });

  describe('tasks', () => {
    it('trims the title and accepts 255 characters after trimming', async () => {
      const task = await db.tasks.create(user.id, { title: `  ${'t'.repeat(255)}  ` });
      expect(task.title).toBe('t'.repeat(255));
    });

    it('accepts a description of 10,000 characters and null', async () => {
      const task = await db.tasks.create(user.id, { title: 'long', description: 'd'.repeat(10_000) });
      expect(task.description).toHaveLength(10_000);
      expect((await db.tasks.update(user.id, task.id, { description: null })).description).toBeNull();
    });

    for (const [label, input, fields] of [
      ['no title', {}, ['title']],
      ['a blank title', { title: ' \t\n ' }, ['title']],
      ['a title of 256 characters', { title: 't'.repeat(256) }, ['title']],
      ['a title with NUL', { title: 'a\0b' }, ['title']],
      ['a numeric title', { title: 5 }, ['title']],
      ['a description of 10,001 characters', { title: 'x', description: 'd'.repeat(10_001) }, ['description']],
      ['a description with NUL', { title: 'x', description: '\0' }, ['description']],
      ['a non-boolean isCompleted', { title: 'x', isCompleted: 'yes' }, ['isCompleted']],
      ['an id', { title: 'x', id: '01a22267-4a5f-7007-87cb-2f1219c2d539' }, ['id']],
      ['a userId', { title: 'x', userId: '01a22267-4a5f-7007-87cb-2f1219c2d539' }, ['userId']],
      ['timestamps', { title: 'x', createdAt: '2020-01-01', updatedAt: '2020-01-01' }, ['createdAt', 'updatedAt']],
      ['a snake_case column', { title: 'x', is_completed: true }, ['is_completed']],
    ] as const) {
      it(`create rejects ${label}`, async () => {
        await expectRejected(() => db.tasks.create(user.id, input as never), [...fields]);
      });
    }

    it('update applies the same rules and rejects fields a caller may not set', async () => {
      const task = await db.tasks.create(user.id, { title: 'to change' });
      await expectRejected(() => db.tasks.update(user.id, task.id, { title: '' }), ['title']);
      await expectRejected(() => db.tasks.update(user.id, task.id, { title: 't'.repeat(256) }), ['title']);
      await expectRejected(() => db.tasks.update(user.id, task.id, { description: 'd'.repeat(10_001) }), ['description']);
      await expectRejected(() => db.tasks.update(user.id, task.id, { isCompleted: 1 } as never), ['isCompleted']);
      await expectRejected(() => db.tasks.update(user.id, task.id, { userId: user.id } as never), ['userId']);
      await expectRejected(() => db.tasks.update(user.id, task.id, { title: null } as never), ['title']);
      await expectRejected(() => db.tasks.update(user.id, task.id, null as never), ['body']);
      const updated = await db.tasks.update(user.id, task.id, { title: '  changed  ', isCompleted: true });
      expect(updated).toMatchObject({ title: 'changed', isCompleted: true, description: null });
      expect(updated.updatedAt.getTime()).toBeGreaterThanOrEqual(task.updatedAt.getTime());
    });

    for (const [label, options, fields] of [
      ['limit 0', { limit: 0 }, ['limit']],
      ['limit 101', { limit: 101 }, ['limit']],
      ['a fractional limit', { limit: 1.5 }, ['limit']],
      ['a string limit', { limit: '10' }, ['limit']],
      ['a string completed', { completed: 'true' }, ['completed']],
      ['a made-up cursor', { cursor: 'abc' }, ['cursor']],
      ['a tampered cursor', { cursor: Buffer.from('2026-01-01T00:00:00.000Z|nope').toString('base64url') }, ['cursor']],
      ['a numeric cursor', { cursor: 5 }, ['cursor']],
      // Well-formed, but dated where PostgreSQL's timestamptz cannot go (its earliest is
      // 4714-11-24 BC, year -4713): they must not reach the database as an error 22008.
      ['a cursor dated at the earliest JS date', { cursor: forgedCursor(`-271821-04-20T00:00:00.000Z|${SOME_UUID}`) }, ['cursor']],
      ['a cursor dated 1 ms before 4714-11-24 BC', { cursor: forgedCursor(`-004713-11-23T23:59:59.999Z|${SOME_UUID}`) }, ['cursor']],
      ['a cursor whose id is not a UUID', { cursor: forgedCursor('2026-01-01T00:00:00.000Z|01a22267-4a5f-7007-87cb-2f1219c2d53') }, ['cursor']],
      ['a cursor with a third part', { cursor: forgedCursor(`2026-01-01T00:00:00.000Z|${SOME_UUID}|x`) }, ['cursor']],
      ['an unknown option', { offset: 10 }, ['offset']],
    ] as const) {
      it(`list rejects ${label}`, async () => {
        await expectRejected(() => db.tasks.list(user.id, options as never), [...fields]);
      });
    }

    it('list takes a cursor anywhere both PostgreSQL and a JS Date can reach', async () => {
      const owner = await db.users.create({ email: 'cursor-edges@example.com' });
      const task = await db.tasks.create(owner.id, { title: 'now' });
      const listAfter = (iso: string) => db.tasks.list(owner.id, { cursor: forgedCursor(`${iso}|${SOME_UUID}`) });
      // PostgreSQL's earliest instant: nothing is older.
      expect(await listAfter('-004713-11-24T00:00:00.000Z')).toEqual({ items: [], nextCursor: null });
      // A JS Date's latest (PostgreSQL reaches 294276 AD): everything is older.
      expect((await listAfter('+275760-09-13T00:00:00.000Z')).items.map((item) => item.id)).toEqual([task.id]);
    });
  });
});
