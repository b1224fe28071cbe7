import { QueryTypes, type ModelAttributeColumnOptions } from 'sequelize';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONSTRAINTS, INDEXES } from '../src/schema/names.js';
import { useTestDatabase } from './support/testDatabase.js';

type ColumnShape = { column: string; type: string; nullable: boolean };

// The contract's table of models, tables and columns (CONTRACT.md, "Models and tables").
const CONTRACT: Record<'users' | 'tasks', ColumnShape[]> = {
  users: [
    { column: 'id', type: 'uuid', nullable: false },
    { column: 'email', type: 'text', nullable: false },
    { column: 'name', type: 'text', nullable: true },
    { column: 'created_at', type: 'timestamp(3) with time zone', nullable: false },
    { column: 'updated_at', type: 'timestamp(3) with time zone', nullable: false },
  ],
  tasks: [
    { column: 'id', type: 'uuid', nullable: false },
    { column: 'user_id', type: 'uuid', nullable: false },
    { column: 'title', type: 'character varying(255)', nullable: false },
    { column: 'description', type: 'text', nullable: true },
    { column: 'is_completed', type: 'boolean', nullable: false },
    { column: 'created_at', type: 'timestamp(3) with time zone', nullable: false },
    { column: 'updated_at', type: 'timestamp(3) with time zone', nullable: false },
  ],
};

const t = useTestDatabase();

function select<T extends object>(sql: string, bind: unknown[] = []): Promise<T[]> {
  return t.db.sequelize.query<T>(sql, { type: QueryTypes.SELECT, bind });
}

/** The columns of a table as PostgreSQL reports them, sorted by name. */
async function databaseColumns(table: string): Promise<ColumnShape[]> {
  const rows = await select<{ column: string; type: string; is_nullable: 'YES' | 'NO' }>(
    `SELECT c.column_name AS column, format_type(a.atttypid, a.atttypmod) AS type, c.is_nullable
       FROM information_schema.columns c
       JOIN pg_attribute a ON a.attrelid = format('%I.%I', c.table_schema, c.table_name)::regclass AND a.attname = c.column_name
      WHERE c.table_schema = 'public' AND c.table_name = $1`,
    [table],
  );
  return sortByColumn(rows.map((row) => ({ column: row.column, type: row.type, nullable: row.is_nullable === 'YES' })));
}

/** The same shape, from what a model declares. */
function modelColumns(attributes: Record<string, ModelAttributeColumnOptions>): ColumnShape[] {
  return sortByColumn(
    Object.values(attributes).map((attribute) => ({
      column: attribute.field!,
      type: postgresTypeOf(attribute),
      // A primary key is NOT NULL whatever allowNull says.
      nullable: attribute.primaryKey === true ? false : attribute.allowNull !== false,
    })),
  );
}

function postgresTypeOf(attribute: ModelAttributeColumnOptions): string {
  const type = attribute.type as unknown as { key: string; _length?: number | string };
  switch (type.key) {
    case 'UUID':
      return 'uuid';
    case 'TEXT':
      return 'text';
    case 'BOOLEAN':
      return 'boolean';
    case 'STRING':
      return `character varying(${type._length})`;
    case 'DATE':
      return `timestamp(${type._length}) with time zone`;
    default:
      return `unmapped ${type.key}`;
  }
}

function sortByColumn(columns: ColumnShape[]): ColumnShape[] {
  return [...columns].sort((a, b) => a.column.localeCompare(b.column));
}

describe('columns', () => {
  it.each(['users', 'tasks'] as const)('%s has exactly the contract columns, types and nullability', async (table) => {
    expect(await databaseColumns(table)).toEqual(sortByColumn(CONTRACT[table]));
  });

  it.each([
    ['User', 'users'],
    ['Task', 'tasks'],
  ] as const)('the %s model declares the same columns as table %s', async (model, table) => {
    const attributes = (model === 'User' ? t.db.models.User.getAttributes() : t.db.models.Task.getAttributes()) as Record<
      string,
      ModelAttributeColumnOptions
    >;
    expect(modelColumns(attributes)).toEqual(await databaseColumns(table));
    expect(String(model === 'User' ? t.db.models.User.getTableName() : t.db.models.Task.getTableName())).toBe(`"public"."${table}"`);
  });

  it('the camelCase attributes map to the snake_case columns of the contract', () => {
    const fieldOf = (attributes: Record<string, ModelAttributeColumnOptions>) =>
      Object.fromEntries(Object.entries(attributes).map(([name, attribute]) => [name, attribute.field]));
    expect(fieldOf(t.db.models.User.getAttributes() as Record<string, ModelAttributeColumnOptions>)).toEqual({
      id: 'id',
      email: 'email',
      name: 'name',
      createdAt: 'created_at',
      updatedAt: 'updated_at',
    });
    expect(fieldOf(t.db.models.Task.getAttributes() as Record<string, ModelAttributeColumnOptions>)).toEqual({
      id: 'id',
      userId: 'user_id',
      title: 'title',
      description: 'description',
      isCompleted: 'is_completed',
      createdAt: 'created_at',
      updatedAt: 'updated_at',
    });
  });

  it('is_completed defaults to false in the database too', async () => {
    const [row] = await select<{ column_default: string }>(
      `SELECT column_default FROM information_schema.columns WHERE table_name = 'tasks' AND column_name = 'is_completed'`,
    );
    expect(row?.column_default).toBe('false');
  });
});

describe('keys, constraints and indexes', () => {
  it('each table has its id as primary key', async () => {
    const rows = await select<{ table: string; columns: string[] }>(
      `SELECT conrelid::regclass::text AS table, array_agg(a.attname::text ORDER BY a.attname) AS columns
         FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
        WHERE c.contype = 'p' AND c.conrelid IN ('users'::regclass, 'tasks'::regclass)
        GROUP BY c.conrelid ORDER BY 1`,
    );
    expect(rows).toEqual([
      { table: 'tasks', columns: ['id'] },
      { table: 'users', columns: ['id'] },
    ]);
  });

  it('tasks.user_id references users(id) ON DELETE CASCADE, the only foreign key', async () => {
    const rows = await select<Record<string, string>>(
      `SELECT conrelid::regclass::text AS table,
              (SELECT attname::text FROM pg_attribute WHERE attrelid = conrelid AND attnum = conkey[1]) AS column,
              confrelid::regclass::text AS referenced_table,
              (SELECT attname::text FROM pg_attribute WHERE attrelid = confrelid AND attnum = confkey[1]) AS referenced_column,
              confdeltype::text AS on_delete, cardinality(conkey)::int AS width
         FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace`,
    );
    expect(rows).toEqual([
      { table: 'tasks', column: 'user_id', referenced_table: 'users', referenced_column: 'id', on_delete: 'c', width: 1 },
    ]);
  });

  it('emails are unique regardless of case through a unique index on lower(email)', async () => {
    const { name } = CONSTRAINTS.usersEmailUnique;
    const [row] = await select<{ indexdef: string }>(`SELECT indexdef FROM pg_indexes WHERE indexname = $1`, [name]);
    expect(row?.indexdef).toBe(`CREATE UNIQUE INDEX ${name} ON public.users USING btree (lower(email))`);
  });

  it('the tasks indexes are led by user_id and ordered for newest first', async () => {
    const rows = await select<{ indexname: string; indexdef: string }>(
      `SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'tasks' AND indexname <> $1 ORDER BY indexname`,
      [CONSTRAINTS.tasksPrimaryKey.name],
    );
    expect(rows.map((row) => [row.indexname, row.indexdef.replace(/^.* USING btree /, '')])).toEqual([
      [INDEXES.tasksByUser.name, '(user_id, created_at DESC, id DESC)'],
      [INDEXES.tasksByUserAndCompletion.name, '(user_id, is_completed, created_at DESC, id DESC)'],
    ]);
  });

  // The CHECK constraints the error translation relies on, and every other name: tests/schema.names.test.ts.
});

describe('query plans', () => {
  let userId: string;

  beforeAll(async () => {
    // Enough rows over enough users that the planner prefers an index on its own.
    await t.db.sequelize.query(
      `INSERT INTO users (id, email) SELECT gen_random_uuid(), 'user' || n || '@example.com' FROM generate_series(1, 5000) AS n`,
    );
    await t.db.sequelize.query(
      `INSERT INTO tasks (id, user_id, title, is_completed, created_at)
       SELECT gen_random_uuid(), u.id, 'task ' || n, n % 2 = 0, now() - n * interval '1 minute'
         FROM (SELECT id FROM users ORDER BY email LIMIT 50) AS u CROSS JOIN generate_series(1, 200) AS n`,
    );
    await t.db.sequelize.query('ANALYZE users, tasks');
    const [user] = await select<{ id: string }>(`SELECT id FROM users ORDER BY email LIMIT 1`);
    userId = user!.id;
  });

  async function plan(sql: string, bind: unknown[] = [userId]): Promise<string> {
    const rows = await select<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, bind);
    return rows.map((row) => row['QUERY PLAN']).join('\n');
  }

  it("a page of a user's tasks, newest first, is read from the user_id index without sorting", async () => {
    const text = await plan(`SELECT * FROM tasks WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT 20`);
    expect(text).toContain(`Index Scan using ${INDEXES.tasksByUser.name} on tasks`);
    expect(text).not.toMatch(/Sort/);
  });

  it('the next page after a keyset cursor uses the same index', async () => {
    const text = await plan(
      `SELECT * FROM tasks WHERE user_id = $1 AND (created_at, id) < (now() - interval '30 minutes', '00000000-0000-0000-0000-000000000000'::uuid)
        ORDER BY created_at DESC, id DESC LIMIT 20`,
    );
    expect(text).toMatch(new RegExp(`Index (Only )?Scan using ${INDEXES.tasksByUser.name} on tasks`));
    expect(text).not.toMatch(/Sort/);
  });

  it('the list filtered by completion uses its own index without sorting', async () => {
    const text = await plan(`SELECT * FROM tasks WHERE user_id = $1 AND is_completed = false ORDER BY created_at DESC, id DESC LIMIT 20`);
    expect(text).toContain(`Index Scan using ${INDEXES.tasksByUserAndCompletion.name} on tasks`);
    expect(text).not.toMatch(/Sort/);
  });

  it('looking a user up by email uses the lower(email) index', async () => {
    const text = await plan(`SELECT * FROM users WHERE lower(email) = lower($1::text)`, ['User17@Example.com']);
    expect(text).toContain(`Index Scan using ${CONSTRAINTS.usersEmailUnique.name} on users`);
  });
});

describe('the cascade lives in the database', () => {
  async function userWithTasks(email: string, count: number): Promise<string> {
    const user = await t.db.models.User.create({ email });
    for (let n = 0; n < count; n += 1) {
      await t.db.models.Task.create({ userId: user.id, title: `task ${n}` });
    }
    return user.id;
  }

  const tasksOf = (userId: string) => t.db.models.Task.count({ where: { userId } });

  it("DELETE FROM users in plain SQL removes that user's tasks and no one else's", async () => {
    const doomed = await userWithTasks('doomed-sql@example.com', 3);
    const other = await userWithTasks('survivor-sql@example.com', 2);
    expect(await tasksOf(doomed)).toBe(3);

    await t.db.sequelize.query('DELETE FROM users WHERE id = $1', { bind: [doomed] });

    expect(await tasksOf(doomed)).toBe(0);
    expect(await tasksOf(other)).toBe(2);
    expect(await t.db.models.User.findByPk(other)).not.toBeNull();
  });

  it("user.destroy() removes that user's tasks and no one else's", async () => {
    const doomed = await userWithTasks('doomed-model@example.com', 4);
    const other = await userWithTasks('survivor-model@example.com', 1);

    const user = await t.db.models.User.findByPk(doomed);
    await user!.destroy();

    expect(await t.db.models.User.findByPk(doomed)).toBeNull();
    expect(await tasksOf(doomed)).toBe(0);
    expect(await tasksOf(other)).toBe(1);
  });
});
