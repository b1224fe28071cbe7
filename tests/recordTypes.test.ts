import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../src/index.js';
import { parseTimestamptz } from '../src/connection/recordTypes.js';
import { admin, useDatabaseCopy } from './support/testDatabase.js';

// The service layer reads its rows with parsers of its own (src/connection/recordTypes.ts). These
// tests hold them to what PostgreSQL means: the instant the server stored, in every time zone a
// session can have, and the same records whatever an application does to pg's global parsers.

const ZONES = ['UTC', 'Asia/Kolkata', 'Asia/Kathmandu', 'America/St_Johns', 'Pacific/Chatham', 'Europe/Amsterdam', 'America/Los_Angeles'];

// Instants that exercise every part of the ISO form: fractions of every length, whole seconds,
// offsets with minutes and (before standard time) seconds, years before 100 and BC, five-digit years.
const INSTANTS = [
  `now()`,
  `timestamptz '2026-03-29 01:59:59.999+00'`,
  `timestamptz '2026-10-25 00:30:00+00'`,
  `timestamptz '2000-02-29 23:59:59.5+00'`,
  `timestamptz '1970-01-01 00:00:00+00'`,
  `timestamptz '1890-06-01 12:34:56.789+00'`,
  `timestamptz '0050-02-28 23:00:00+00'`,
  `timestamptz '0001-02-29 12:00:00+00 BC'`,
  `timestamptz '0044-03-15 12:00:00+00 BC'`,
  `timestamptz '12026-01-01 00:00:00.001+00'`,
  `timestamptz '2026-12-01 05:44:21.123456+00'`,
];

/** A task's created_at as the server has it, in milliseconds since 1970, asked over a connection of the test's own. */
async function storedCreatedAt(url: string, taskId: string): Promise<number> {
  const { rows } = await admin(url, (client) =>
    client.query<{ ms: string }>('SELECT floor(extract(epoch FROM created_at) * 1000)::bigint::text AS ms FROM tasks WHERE id = $1', [
      taskId,
    ]),
  );
  return Number(rows[0]!.ms);
}

describe('the timestamps of records', () => {
  const copy = useDatabaseCopy();

  it.each(ZONES)('are the instant PostgreSQL stored when the session time zone is %s', async (zone) => {
    const client = new pg.Client({ connectionString: copy.url });
    await client.connect();
    try {
      await client.query(`SET TimeZone = '${zone}'`);
      const { rows } = await client.query<{ text: string; ms: string }>(
        `SELECT t::text AS text, floor(extract(epoch FROM t) * 1000)::bigint::text AS ms FROM (VALUES ${INSTANTS.map((i) => `(${i})`).join(', ')}) AS v(t)`,
      );
      expect(rows).toHaveLength(INSTANTS.length);
      for (const { text, ms } of rows) {
        const parsed = parseTimestamptz(text);
        expect(parsed, text).toBeInstanceOf(Date);
        expect((parsed as Date).getTime(), text).toBe(Number(ms));
      }
    } finally {
      await client.end();
    }
  });

  it('are read up to the last instant a Date holds, and refused past it', () => {
    // 275760-09-13 00:00 UTC is the last instant; here it is 05:00 local time, which Date.UTC alone cannot hold.
    expect((parseTimestamptz('275760-09-13 05:00:00+05') as Date).getTime()).toBe(8.64e15);
    expect(() => parseTimestamptz('275760-09-14 00:00:00+00')).toThrow(/outside what a JavaScript Date can hold/);
    expect(() => parseTimestamptz('271822-04-19 00:00:00+00 BC')).toThrow(/outside what a JavaScript Date can hold/);
  });

  it('are ±Infinity for infinity, as pg gives them', () => {
    expect(parseTimestamptz('infinity')).toBe(Number.POSITIVE_INFINITY);
    expect(parseTimestamptz('-infinity')).toBe(Number.NEGATIVE_INFINITY);
  });

  it('refuse text that is not the ISO form instead of reading a wrong date', () => {
    for (const text of [
      '12/01/2026 05:44:21.123 UTC',
      'Tue Dec 01 05:44:21.123 2026 UTC',
      '2026-12-01 05:44:21',
      '2026-1x-01 05:44:21+00',
      '',
    ]) {
      expect(() => parseTimestamptz(text), text).toThrow(/cannot read the timestamp .*DateStyle ISO/);
    }
  });

  it('match the server in a session with another time zone, through the service layer', async () => {
    const db = createDatabase({ url: `${copy.url}?options=${encodeURIComponent('-c TimeZone=Asia/Kathmandu')}` }, {});
    try {
      const user = await db.users.create({ email: 'kathmandu@example.com' });
      const task = await db.tasks.create(user.id, { title: 'in +05:45' });
      expect(task.createdAt.getTime()).toBe(await storedCreatedAt(copy.url, task.id));
      const page = await db.tasks.list(user.id);
      expect(page.items[0]!.createdAt).toEqual(task.createdAt);
    } finally {
      await db.close();
    }
  });
});

describe('records when the DateStyle is not ISO', () => {
  const copy = useDatabaseCopy();

  it('are read right when the database sets another DateStyle: tododb asks for ISO when it connects', async () => {
    await admin(copy.url, (client) => client.query(`ALTER DATABASE ${copy.name} SET DateStyle = 'SQL, DMY'`));
    const db = createDatabase({ url: copy.url }, {});
    try {
      const user = await db.users.create({ email: 'datestyle@example.com' });
      const task = await db.tasks.create(user.id, { title: 'in SQL, DMY' });
      expect(task.createdAt.getTime()).toBe(await storedCreatedAt(copy.url, task.id));
      expect((await db.tasks.list(user.id)).items).toEqual([task]);
    } finally {
      await db.close();
      await admin(copy.url, (client) => client.query(`ALTER DATABASE ${copy.name} RESET DateStyle`));
    }
  });

  it('are refused before the statement is sent after a SET DateStyle on the connection, which is then closed', async () => {
    const db = createDatabase({ url: copy.url, pool: { max: 1 } }, {});
    try {
      const refused = await db
        .transaction(async () => {
          await db.sequelize.query(`SET DateStyle = 'German'`);
          // Caught inside the callback: the transaction must not commit anyway.
          const error = await db.users.create({ email: 'german@example.com' }).catch((caught: unknown) => caught);
          expect(error).toMatchObject({
            code: 'DATABASE_ERROR',
            message: expect.stringMatching(/DateStyle was set to "German".*nothing was sent/),
          });
          await db.sequelize.query(`INSERT INTO users (id, email) VALUES (gen_random_uuid(), 'raw@example.com')`);
        })
        .catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(Error);
      const stored = await admin(copy.url, (client) =>
        client.query(`SELECT count(*)::int AS n FROM users WHERE email IN ('german@example.com', 'raw@example.com')`),
      );
      expect(stored.rows[0]).toEqual({ n: 0 });

      // Outside a transaction the setting stays on the session: the refused connection is closed,
      // not handed to the next caller, whose new connection is in ISO again.
      await db.sequelize.query(`SET DateStyle = 'German'`);
      await expect(db.users.create({ email: 'german-again@example.com' })).rejects.toMatchObject({ code: 'DATABASE_ERROR' });
      expect((await db.users.create({ email: 'after@example.com' })).createdAt).toBeInstanceOf(Date);
    } finally {
      await db.close();
    }
  });
});

describe('records when the application sets pg.defaults.binary for its own connections', () => {
  const copy = useDatabaseCopy();

  it('are still read from text: UUIDs as strings, timestamps as the instants stored', async () => {
    const db = createDatabase({ url: copy.url }, {});
    const defaults = pg.defaults as { binary?: boolean };
    defaults.binary = true;
    try {
      const user = await db.users.create({ email: 'binary@example.com' });
      const task = await db.tasks.create(user.id, { title: 'binary' });
      expect(task.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(task.userId).toBe(user.id);
      expect(task.createdAt.getTime()).toBe(await storedCreatedAt(copy.url, task.id));
      expect((await db.tasks.list(user.id)).items).toEqual([task]);
    } finally {
      defaults.binary = false;
      await db.close();
    }
  });
});

describe("records when the application changes pg's global type parsers", () => {
  const copy = useDatabaseCopy();
  let db: Database;
  const saved = { timestamptz: pg.types.getTypeParser(1184, 'text'), bool: pg.types.getTypeParser(16, 'text') };

  beforeAll(() => {
    db = createDatabase({ url: copy.url }, {});
    // What an application does to get timestamps as strings and booleans as 't'/'f' in its own queries.
    pg.types.setTypeParser(1184, (text: string) => text);
    pg.types.setTypeParser(16, (text: string) => text);
  });
  afterAll(async () => {
    pg.types.setTypeParser(1184, saved.timestamptz);
    pg.types.setTypeParser(16, saved.bool);
    await db.close();
  });

  it('keep Dates and booleans, as their types say', async () => {
    const user = await db.users.create({ email: 'parsers@example.com' });
    const created = await db.tasks.create(user.id, { title: 'typed', isCompleted: true });
    const read = await db.tasks.get(user.id, created.id);
    const listed = (await db.tasks.list(user.id)).items[0]!;
    for (const task of [created, read, listed]) {
      expect(task.createdAt).toBeInstanceOf(Date);
      expect(task.updatedAt).toBeInstanceOf(Date);
      expect(task.isCompleted).toBe(true);
    }
    expect((await db.users.get(user.id)).createdAt).toBeInstanceOf(Date);
    // The application's own queries still get what it asked for.
    const raw = new pg.Client({ connectionString: copy.url });
    await raw.connect();
    try {
      const { rows } = await raw.query('SELECT created_at, is_completed FROM tasks WHERE id = $1', [created.id]);
      expect(rows[0]).toEqual({ created_at: expect.any(String), is_completed: 't' });
    } finally {
      await raw.end();
    }
  });
});
