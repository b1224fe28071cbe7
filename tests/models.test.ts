import { QueryTypes, UniqueConstraintError, ValidationError as SequelizeValidationError } from 'sequelize';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError, ValidationError, translateError } from '../src/index.js';
import { useTestDatabase } from './support/testDatabase.js';

const t = useTestDatabase();

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const EMOJI = '\u{1F600}'; // one character, two UTF-16 units

async function rejection(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );
}

async function rowCount(table: 'users' | 'tasks'): Promise<number> {
  const [row] = await t.db.sequelize.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`, { type: QueryTypes.SELECT });
  return row!.n;
}

/** An address of `length` characters with the longest local part allowed (64) and DNS-sized labels. */
function longEmail(length: number): string {
  const domain = length - 64 - 1 - '.com'.length;
  const labels = ['d'.repeat(63), 'e'.repeat(63), 'f'.repeat(domain - 2 * 64)];
  return `${'a'.repeat(64)}@${labels.join('.')}.com`;
}

let emailCounter = 0;
function freshEmail(): string {
  emailCounter += 1;
  return `person${emailCounter}@example.com`;
}

describe('User', () => {
  it('stores the email trimmed and lower-cased', async () => {
    const user = await t.db.models.User.create({ email: '  Ada@Example.COM ' });
    expect(user.email).toBe('ada@example.com');
    const [row] = await t.db.sequelize.query<{ email: string }>('SELECT email FROM users WHERE id = $1', {
      bind: [user.id],
      type: QueryTypes.SELECT,
    });
    expect(row?.email).toBe('ada@example.com');
    expect((await t.db.models.User.findOne({ where: { email: 'ada@example.com' } }))?.id).toBe(user.id);
  });

  it('refuses a second user whose email differs only in case or spaces, writing nothing', async () => {
    await t.db.models.User.create({ email: 'grace@example.com', name: 'Grace' });
    const before = await rowCount('users');
    for (const email of ['GRACE@example.com', ' Grace@Example.com']) {
      const error = await rejection(t.db.models.User.create({ email }));
      expect(error).toBeInstanceOf(UniqueConstraintError);
      const translated = translateError(error);
      expect(translated).toBeInstanceOf(ConflictError);
      expect(translated).toMatchObject({ code: 'CONFLICT', field: 'email' });
    }
    expect(await rowCount('users')).toBe(before);
  });

  it('gives a UUIDv7 id, timestamps and a null name when none is given', async () => {
    const before = Date.now();
    const user = await t.db.models.User.create({ email: freshEmail() });
    expect(user.id).toMatch(UUID_V7);
    expect(user.name).toBeNull();
    expect(user.createdAt).toBeInstanceOf(Date);
    expect(user.createdAt.getTime()).toBeGreaterThanOrEqual(before - 5);
    expect(user.createdAt.getTime()).toBeLessThanOrEqual(Date.now() + 5);
    expect(user.updatedAt.getTime()).toBe(user.createdAt.getTime());

    const reread = await t.db.models.User.findByPk(user.id);
    expect(reread?.createdAt.getTime()).toBe(user.createdAt.getTime());
    expect(reread?.name).toBeNull();
  });

  it('accepts an email of 254 characters and a name of 255', async () => {
    const email = longEmail(254);
    expect(email).toHaveLength(254);
    const user = await t.db.models.User.create({ email, name: 'n'.repeat(255) });
    expect(user.email).toBe(email);
  });

  it.each([
    ['255 characters', longEmail(255)],
    ['65 characters before the @', `${'b'.repeat(65)}@example.com`],
    ['a lone surrogate', 'ad\uD800a@example.com'],
    ['no @', 'ada.example.com'],
    ['no domain dot', 'ada@example'],
    ['nothing before @', '@example.com'],
    ['two @', 'ada@@example.com'],
    ['a space inside', 'ada lovelace@example.com'],
    ['a NUL byte', 'ad\u0000a@example.com'],
    ['empty', ''],
    ['spaces only', '   '],
    ['a number', 42],
    ['null', null],
  ])('refuses an email with %s and writes nothing', async (_name, email) => {
    const before = await rowCount('users');
    const error = await rejection(t.db.models.User.create({ email: email as string }));
    expect(error).toBeInstanceOf(SequelizeValidationError);
    const translated = translateError(error);
    expect(translated).toBeInstanceOf(ValidationError);
    expect((translated as ValidationError).fields).toEqual(['email']);
    expect(await rowCount('users')).toBe(before);
  });

  it.each([
    ['256 characters', 'n'.repeat(256)],
    ['a NUL byte', 'Ad\u0000a'],
  ])('refuses a name with %s and writes nothing', async (_name, name) => {
    const before = await rowCount('users');
    const translated = translateError(await rejection(t.db.models.User.create({ email: freshEmail(), name })));
    expect((translated as ValidationError).fields).toEqual(['name']);
    expect(await rowCount('users')).toBe(before);
  });

  it('re-normalises the email on update', async () => {
    const user = await t.db.models.User.create({ email: freshEmail() });
    await user.update({ email: '  Changed@Example.COM' });
    const reread = await t.db.models.User.findByPk(user.id);
    expect(reread?.email).toBe('changed@example.com');
  });
});

describe('Task', () => {
  let userId: string;

  beforeAll(async () => {
    userId = (await t.db.models.User.create({ email: 'task-owner@example.com' })).id;
  });

  it('stores the title trimmed, with defaults for the rest', async () => {
    const task = await t.db.models.Task.create({ userId, title: '  Buy milk \n' });
    expect(task.title).toBe('Buy milk');
    expect(task.id).toMatch(UUID_V7);
    expect(task.isCompleted).toBe(false);
    expect(task.description).toBeNull();
    expect(task.createdAt).toBeInstanceOf(Date);
    expect(task.updatedAt).toBeInstanceOf(Date);

    const [row] = await t.db.sequelize.query<{ title: string; is_completed: boolean; description: string | null }>(
      'SELECT title, is_completed, description FROM tasks WHERE id = $1',
      { bind: [task.id], type: QueryTypes.SELECT },
    );
    expect(row).toEqual({ title: 'Buy milk', is_completed: false, description: null });
  });

  it.each([
    ['255 characters', 't'.repeat(255)],
    ['255 characters between spaces', ` ${'t'.repeat(255)} `],
    ['255 emoji (510 UTF-16 units, 255 characters as PostgreSQL counts them)', EMOJI.repeat(255)],
    ['one character', 'x'],
  ])('accepts a title of %s', async (_name, title) => {
    const task = await t.db.models.Task.create({ userId, title });
    expect(task.title).toBe(title.trim());
    expect((await t.db.models.Task.findByPk(task.id))?.title).toBe(title.trim());
  });

  it('accepts a description of 10,000 characters, and null', async () => {
    const long = await t.db.models.Task.create({ userId, title: 'long', description: 'd'.repeat(10_000) });
    expect((await t.db.models.Task.findByPk(long.id))?.description).toHaveLength(10_000);
    const none = await t.db.models.Task.create({ userId, title: 'none', description: null });
    expect((await t.db.models.Task.findByPk(none.id))?.description).toBeNull();
  });

  it.each([
    ['title', 'empty', { title: '' }],
    ['title', 'whitespace only', { title: ' \t\n ' }],
    ['title', '256 characters', { title: 't'.repeat(256) }],
    ['title', '256 emoji', { title: EMOJI.repeat(256) }],
    ['title', 'a NUL byte', { title: 'Buy\u0000milk' }],
    ['title', 'a number', { title: 7 }],
    ['title', 'null', { title: null }],
    ['description', '10,001 characters', { title: 'ok', description: 'd'.repeat(10_001) }],
    ['description', 'a NUL byte', { title: 'ok', description: 'a\u0000b' }],
  ])('refuses a %s that is %s and writes nothing', async (field, _name, values) => {
    const before = await rowCount('tasks');
    const error = await rejection(t.db.models.Task.create({ userId, ...(values as { title: string }) }));
    expect(error).toBeInstanceOf(SequelizeValidationError);
    const translated = translateError(error);
    expect(translated).toBeInstanceOf(ValidationError);
    expect((translated as ValidationError).fields).toEqual([field]);
    expect(await rowCount('tasks')).toBe(before);
  });

  it('refuses a task for a user that does not exist, as NotFoundError for the user', async () => {
    const before = await rowCount('tasks');
    const translated = translateError(
      await rejection(t.db.models.Task.create({ userId: '01890000-0000-7000-8000-000000000000', title: 'orphan' })),
    );
    expect(translated).toBeInstanceOf(NotFoundError);
    expect(translated).toMatchObject({ entity: 'user' });
    expect(await rowCount('tasks')).toBe(before);
  });

  it('re-trims the title on update and refuses an empty one', async () => {
    const task = await t.db.models.Task.create({ userId, title: 'before' });
    await task.update({ title: '  after  ', isCompleted: true });
    expect(await t.db.models.Task.findByPk(task.id)).toMatchObject({ title: 'after', isCompleted: true });
    await expect(task.update({ title: '   ' })).rejects.toBeInstanceOf(SequelizeValidationError);
    expect((await t.db.models.Task.findByPk(task.id))?.title).toBe('after');
  });

  it('User has many tasks (as tasks) and Task belongs to User (as user)', async () => {
    const owner = await t.db.models.User.create({ email: freshEmail() });
    await t.db.models.Task.create({ userId: owner.id, title: 'first' });
    await t.db.models.Task.create({ userId: owner.id, title: 'second' });
    const withTasks = await t.db.models.User.findByPk(owner.id, { include: ['tasks'] });
    expect(withTasks?.tasks?.map((task) => task.title).sort()).toEqual(['first', 'second']);
    const task = await t.db.models.Task.findOne({ where: { userId: owner.id }, include: ['user'] });
    expect(task?.user?.email).toBe(owner.email);
  });
});

describe('the database refuses what the models refuse, also from plain SQL', () => {
  let userId: string;

  beforeAll(async () => {
    userId = (await t.db.models.User.create({ email: 'sql-owner@example.com' })).id;
  });

  it.each([
    ['users', 'email', 'an upper-case email', `INSERT INTO users (id, email) VALUES (gen_random_uuid(), 'UPPER@x.io')`],
    ['users', 'email', 'an email with a leading space', `INSERT INTO users (id, email) VALUES (gen_random_uuid(), ' pad@x.io')`],
    ['users', 'email', 'an empty email', `INSERT INTO users (id, email) VALUES (gen_random_uuid(), '')`],
    [
      'users',
      'email',
      'an email of 255 characters',
      `INSERT INTO users (id, email) VALUES (gen_random_uuid(), repeat('a', 243) || '@example.com')`,
    ],
    ['users', 'email', 'a taken email', `INSERT INTO users (id, email) VALUES (gen_random_uuid(), 'sql-owner@example.com')`],
    ['users', 'email', 'a null email', `INSERT INTO users (id, email) VALUES (gen_random_uuid(), NULL)`],
    ['tasks', 'title', 'an empty title', `INSERT INTO tasks (id, user_id, title) VALUES (gen_random_uuid(), $1, '')`],
    ['tasks', 'title', 'a blank title', `INSERT INTO tasks (id, user_id, title) VALUES (gen_random_uuid(), $1, '  ' || chr(9) || ' ')`],
    [
      'tasks',
      'title',
      'a title of 256 characters',
      `INSERT INTO tasks (id, user_id, title) VALUES (gen_random_uuid(), $1, repeat('t', 256))`,
    ],
    [
      'tasks',
      'description',
      'a description of 10,001 characters',
      `INSERT INTO tasks (id, user_id, title, description) VALUES (gen_random_uuid(), $1, 't', repeat('d', 10001))`,
    ],
    ['tasks', 'user_id', 'an unknown user', `INSERT INTO tasks (id, user_id, title) VALUES (gen_random_uuid(), gen_random_uuid(), 't')`],
  ])('%s: refuses %s (%s)', async (table, field, _name, sql) => {
    const before = await rowCount(table as 'users' | 'tasks');
    const bind = sql.includes('$1') ? [userId] : [];
    const translated = translateError(await rejection(t.db.sequelize.query(sql, { bind })));
    const expected =
      field === 'user_id' ? { code: 'NOT_FOUND' } : sql.includes('sql-owner') ? { code: 'CONFLICT', field } : { code: 'VALIDATION_FAILED' };
    expect(translated).toMatchObject(expected);
    if (translated instanceof ValidationError) expect(translated.fields).toEqual([field]);
    expect(await rowCount(table as 'users' | 'tasks')).toBe(before);
  });

  it('accepts in plain SQL what the models store', async () => {
    await t.db.sequelize.query(`INSERT INTO users (id, email) VALUES (gen_random_uuid(), 'plain@x.io')`);
    await t.db.sequelize.query(
      `INSERT INTO tasks (id, user_id, title, description) VALUES (gen_random_uuid(), $1, repeat('t', 255), repeat('d', 10000))`,
      {
        bind: [userId],
      },
    );
  });
});
