import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConflictError, ValidationError, translateError, type Database, type UserRecord } from '../src/index.js';
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

/**
 * An address of `length` characters whose local part has `local` (64, RFC 5321's most, by
 * default) and whose domain is made of DNS labels of at most 63 characters.
 */
function email(length: number, local = 64): string {
  let left = length - local - 1 - 'com'.length; // what the labels before `com`, dots included, must fill
  const labels: string[] = [];
  while (left > 64) {
    labels.push('d'.repeat(59));
    left -= 60;
  }
  if (left > 0) labels.push('e'.repeat(left - 1));
  return `${'a'.repeat(local)}@${[...labels, 'com'].join('.')}`;
}

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
      expect(sql.some((statement) => statement.startsWith('INSERT INTO "public"."users"'))).toBe(true); // the hook sees service SQL
      await expectRejected(() => db.users.create({ email: email(255) }), ['email']);
    });

    it('accepts a local part of 64 characters and rejects 65 (RFC 5321), in create and getByEmail', async () => {
      const created = await db.users.create({ email: email(80, 64) });
      expect(created.email.split('@')[0]).toHaveLength(64);
      await expectRejected(() => db.users.create({ email: email(80, 65) }), ['email']);
      await expectRejected(() => db.users.getByEmail(email(80, 65)), ['email']);
      // Counted in characters, as the whole address is: 64 emoji are 128 UTF-16 units.
      expect((await db.users.create({ email: `${'\u{1F600}'.repeat(64)}@example.com` })).email).toMatch(/^\u{1F600}{64}@/u);
    });

    it('refuses a lone surrogate in the email or the name, which PostgreSQL would store as U+FFFD', async () => {
      for (const bad of ['a\uD800b@example.com', 'ab@example.com\uDFFF', '\uDC00\uD800@example.com']) {
        await expectRejected(() => db.users.create({ email: bad }), ['email']);
        await expectRejected(() => db.users.getByEmail(bad), ['email']);
      }
      await expectRejected(() => db.users.create({ email: 'surrogate@example.com', name: 'a\uD800b' }), ['name']);
      await expectRejected(() => db.users.create({ email: 'surrogate@example.com', name: '\uDE00' }), ['name']);
      // A well-formed pair is one character and is kept as it is.
      const created = await db.users.create({ email: 'pair@example.com', name: 'a\u{1F600}b' });
      expect(created.name).toBe('a\u{1F600}b');
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
      ['a title with a lone high surrogate', { title: 'a\uD800b' }, ['title']],
      ['a title ending in a lone high surrogate', { title: 'ab\uD83D' }, ['title']],
      ['a title with a lone low surrogate', { title: '\uDE00' }, ['title']],
      ['a title with a pair in the wrong order', { title: '\uDE00\uD83D' }, ['title']],
      ['a description with a lone surrogate', { title: 'x', description: 'a\uDBFFb' }, ['description']],
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
      await expectRejected(() => db.tasks.update(user.id, task.id, { title: 'a\uD800b' }), ['title']);
      await expectRejected(() => db.tasks.update(user.id, task.id, { description: '\uDC00' }), ['description']);
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
      [
        'a cursor whose id is not a UUID',
        { cursor: forgedCursor('2026-01-01T00:00:00.000Z|01a22267-4a5f-7007-87cb-2f1219c2d53') },
        ['cursor'],
      ],
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

  describe('only the own enumerable properties of an input are read', () => {
    // An object whose prototype carries fields: a class instance, Object.create(defaults), or
    // a polluted Object.prototype. Its inherited fields are neither checked as unknown nor used.
    const inheriting = <T extends object>(inherited: object, own: T): T => Object.assign(Object.create(inherited) as T, own);

    it('users.create: an inherited email does not count, an inherited name is not stored', async () => {
      await expectRejected(() => db.users.create(inheriting({ email: 'inherited@example.com' }, {}) as never), ['email']);
      const created = await db.users.create(inheriting({ name: 'Inherited', isAdmin: true }, { email: 'own-email@example.com' }));
      expect(created.name).toBeNull();
    });

    it('tasks.create: an inherited title does not count, inherited fields are not stored', async () => {
      await expectRejected(() => db.tasks.create(user.id, inheriting({ title: 'inherited' }, {}) as never), ['title']);
      const task = await db.tasks.create(user.id, inheriting({ description: 'inherited', isCompleted: true }, { title: 'own title' }));
      expect(task).toMatchObject({ title: 'own title', description: null, isCompleted: false });
    });

    it('tasks.update: inherited changes change nothing and send no UPDATE', async () => {
      const task = await db.tasks.create(user.id, { title: 'kept' });
      sql.length = 0;
      const after = await db.tasks.update(user.id, task.id, inheriting({ title: 'inherited', isCompleted: true }, {}));
      expect(after).toEqual(task);
      expect(sql.filter((statement) => statement.startsWith('UPDATE'))).toEqual([]);
      const partly = await db.tasks.update(user.id, task.id, inheriting({ title: 'inherited' }, { isCompleted: true }));
      expect(partly).toMatchObject({ title: 'kept', isCompleted: true });
    });

    it('tasks.list: inherited options are not applied', async () => {
      const owner = await db.users.create({ email: 'inherited-options@example.com' });
      await db.tasks.create(owner.id, { title: 'open' });
      await db.tasks.create(owner.id, { title: 'done', isCompleted: true });
      const page = await db.tasks.list(owner.id, inheriting({ limit: 1, completed: true }, {}));
      expect(page.items.map((task) => task.title)).toEqual(['done', 'open']);
      expect(page.nextCursor).toBeNull();
    });
  });

  describe('the models apply the same rules', () => {
    /** The model call fails with an error that translateError makes a ValidationError naming `field`; nothing changed. */
    async function expectModelRejected(call: () => Promise<unknown>, field: string): Promise<void> {
      const before = await snapshot(db);
      const error = await call().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeDefined();
      const translated = translateError(error);
      expect(translated).toBeInstanceOf(ValidationError);
      expect((translated as ValidationError).fields).toEqual([field]);
      expect(await snapshot(db)).toEqual(before);
    }

    it('User refuses a lone surrogate in the email and the name', async () => {
      await expectModelRejected(() => db.models.User.create({ email: 'a\uD800b@example.com' }), 'email');
      await expectModelRejected(() => db.models.User.create({ email: 'model-name@example.com', name: 'a\uDC00' }), 'name');
      const model = await db.models.User.create({ email: 'model-pair@example.com', name: '\u{1F600}' });
      await expectModelRejected(() => model.update({ name: '\uD83D' }), 'name');
    });

    it('User refuses a local part over 64 characters and keeps 64', async () => {
      await expectModelRejected(() => db.models.User.create({ email: email(100, 65) }), 'email');
      expect((await db.models.User.create({ email: email(100, 64) })).email).toBe(email(100, 64));
    });

    it('Task refuses a lone surrogate in the title and the description', async () => {
      await expectModelRejected(() => db.models.Task.create({ userId: user.id, title: 'a\uD800b' }), 'title');
      await expectModelRejected(() => db.models.Task.create({ userId: user.id, title: 'x', description: 'd\uDFFF' }), 'description');
      const task = await db.models.Task.create({ userId: user.id, title: 'model task' });
      await expectModelRejected(() => task.update({ title: '\uDBFF\uDBFF' }), 'title');
    });
  });
});
