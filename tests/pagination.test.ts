import { beforeAll, describe, expect, it } from 'vitest';
import { QueryTypes } from 'sequelize';
import type { Database, TaskRecord, UserRecord } from '../src/index.js';
import { INDEXES } from '../src/schema/names.js';
import { useTestDatabase } from './support/testDatabase.js';

const TOTAL = 1000;

/** Newest first: created_at descending, then id descending (the list's total order). */
const newestFirst = (a: { createdAt: Date; id: string }, b: { createdAt: Date; id: string }) =>
  b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

describe('keyset pagination over 1,000 tasks', () => {
  const sql: string[] = [];
  const t = useTestDatabase({ logging: (statement) => sql.push(statement) });
  let db: Database;
  let owner: UserRecord;
  let expected: { id: string; createdAt: Date; isCompleted: boolean }[];

  beforeAll(async () => {
    db = t.db;
    owner = await db.users.create({ email: 'pager@example.com' });
    const other = await db.users.create({ email: 'other@example.com' });
    // Three tasks share each millisecond, so the id must break ties; another user's tasks are
    // interleaved in time and must never show up.
    for (const userId of [owner.id, other.id]) {
      await db.sequelize.query(
        `INSERT INTO tasks (id, user_id, title, is_completed, created_at, updated_at)
         SELECT gen_random_uuid(), $1, 'task ' || i, i % 3 = 0,
                timestamptz '2026-01-01T00:00:00Z' + (i / 3) * interval '1 millisecond', now()
         FROM generate_series(1, ${TOTAL}) AS i`,
        { bind: [userId] },
      );
    }
    await db.sequelize.query('ANALYZE tasks');
    const rows = await db.sequelize.query<{ id: string; created_at: Date; is_completed: boolean }>(
      `SELECT id, created_at, is_completed FROM tasks WHERE user_id = $1`,
      { bind: [owner.id], type: QueryTypes.SELECT },
    );
    expected = rows.map((row) => ({ id: row.id, createdAt: new Date(row.created_at), isCompleted: row.is_completed })).sort(newestFirst);
  });

  async function readAll(limit: number, completed?: boolean): Promise<TaskRecord[]> {
    const seen: TaskRecord[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await db.tasks.list(owner.id, { limit, cursor, ...(completed === undefined ? {} : { completed }) });
      expect(page.items.length).toBeLessThanOrEqual(limit);
      seen.push(...page.items);
      cursor = page.nextCursor;
      pages += 1;
      expect(pages).toBeLessThanOrEqual(TOTAL + 1);
    } while (cursor !== null);
    return seen;
  }

  for (const limit of [1, 3, 7, 20, 99, 100]) {
    it(`returns each task exactly once, newest first, with pages of ${limit}`, async () => {
      const seen = await readAll(limit);
      expect(seen.map((task) => task.id)).toEqual(expected.map((task) => task.id));
    });
  }

  it('pages through the completed and the open tasks separately', async () => {
    for (const completed of [true, false]) {
      const seen = await readAll(17, completed);
      expect(seen.map((task) => task.id)).toEqual(expected.filter((task) => task.isCompleted === completed).map((task) => task.id));
    }
  });

  it('ends with a null cursor on a last page that is exactly full, with no empty page after it', async () => {
    const pages: number[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: TaskRecord[]; nextCursor: string | null } = await db.tasks.list(owner.id, { limit: 100, cursor });
      pages.push(page.items.length);
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(pages).toEqual(Array(10).fill(100));
  });

  it('reads one page of index entries, never the rows before it, however deep the page', async () => {
    // Page through and keep the statements actually sent; explain the first page and the
    // sixth, which starts 500 rows deep.
    sql.length = 0;
    const all = await readAll(100);
    const selects = sql.filter((statement) => statement.startsWith('SELECT'));
    const position = all[499]!; // the last task of the fifth page
    for (const [statement, bind] of [
      [selects[0]!, [owner.id, 101]],
      [selects[5]!, [owner.id, position.createdAt, position.id, 101]],
    ] as const) {
      const [plan] = await db.sequelize.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${statement}`, {
        bind: [...bind],
        type: QueryTypes.SELECT,
      });
      const root = plan!['QUERY PLAN'][0]!.Plan;
      expect(JSON.stringify(root)).toContain(INDEXES.tasksByUser.name);
      // The index is entered at the cursor: it yields the page and one more row, not the 500 before.
      const scan = findNode(root, (node) => node['Node Type'] === 'Index Scan');
      expect(scan).toBeDefined();
      expect(scan!['Actual Rows']).toBeLessThanOrEqual(101);
    }
  });
});

describe('cursors at the edges of time, in any time zone of the process', () => {
  const t = useTestDatabase();
  let owner: UserRecord;
  let expected: string[];

  // PostgreSQL's earliest instant, a time when every zone kept local mean time (offsets with
  // seconds, such as Paris's +00:09:21), two rows ten seconds apart then, now, and a JS
  // Date's latest (PostgreSQL reaches 294276 AD).
  const CREATED_AT = [
    '4714-11-24 00:00:00+00 BC',
    '1850-01-01 00:00:00+00',
    '1850-01-01 00:00:10+00',
    '2026-01-01 00:00:00+00',
    '275760-09-13 00:00:00+00',
  ];

  beforeAll(async () => {
    owner = await t.db.users.create({ email: 'edges-of-time@example.com' });
    const rows = await t.db.sequelize.query<{ id: string }>(
      `INSERT INTO tasks (id, user_id, title, created_at, updated_at)
       SELECT gen_random_uuid(), $1, 'at ' || at, at::timestamptz, now() FROM unnest($2::text[]) AS at
       RETURNING id, created_at`,
      { bind: [owner.id, CREATED_AT], type: QueryTypes.SELECT },
    );
    expect(rows).toHaveLength(CREATED_AT.length);
    const ordered = await t.db.sequelize.query<{ id: string }>(
      `SELECT id FROM tasks WHERE user_id = $1 ORDER BY created_at DESC, id DESC`,
      {
        bind: [owner.id],
        type: QueryTypes.SELECT,
      },
    );
    expected = ordered.map((row) => row.id);
  });

  for (const zone of ['UTC', 'Europe/Paris', 'America/New_York', 'Asia/Kolkata']) {
    it(`pages through them one at a time, each exactly once, with TZ=${zone}`, async () => {
      const saved = process.env.TZ;
      process.env.TZ = zone; // Node applies a new TZ at once, to every Date after it
      try {
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const page: { items: TaskRecord[]; nextCursor: string | null } = await t.db.tasks.list(owner.id, { limit: 1, cursor });
          seen.push(...page.items.map((task) => task.id));
          cursor = page.nextCursor;
        } while (cursor !== null && seen.length <= CREATED_AT.length);
        expect(seen).toEqual(expected);
      } finally {
        if (saved === undefined) delete process.env.TZ;
        else process.env.TZ = saved;
      }
    });
  }
});

type PlanNode = { 'Node Type': string; 'Actual Rows'?: number; Plans?: PlanNode[] };
function findNode(node: PlanNode, match: (node: PlanNode) => boolean): PlanNode | undefined {
  if (match(node)) return node;
  for (const child of node.Plans ?? []) {
    const found = findNode(child, match);
    if (found) return found;
  }
  return undefined;
}
