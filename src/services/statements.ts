import type pg from 'pg';
import { statement, type Statement } from '../connection/Statement.js';
import { TABLES, qualified } from '../schema/names.js';

/**
 * A statement runner: the service layer's only way to PostgreSQL. `actingUser` is the user the
 * statement is for (the task's owner, the user read or written): the connection layer uses it for
 * read-your-writes on replicas and for row-level security. `undefined` when no user is known.
 */
export type Query = <Row extends pg.QueryResultRow>(
  statement: Statement,
  values: readonly unknown[],
  actingUser: string | undefined,
) => Promise<pg.QueryResult<Row>>;

const USER_COLUMNS = `id, email, name, created_at AS "createdAt", updated_at AS "updatedAt"`;
const TASK_COLUMNS = `id, user_id AS "userId", title, description, is_completed AS "isCompleted", created_at AS "createdAt", updated_at AS "updatedAt"`;

/** The fields of a task a caller may change, and their columns. */
export const TASK_SETTABLE = ['title', 'description', 'isCompleted'] as const;
export type TaskSettable = (typeof TASK_SETTABLE)[number];
const COLUMN_OF: Record<TaskSettable, string> = { title: 'title', description: 'description', isCompleted: 'is_completed' };

/** Every statement of the service layer for one schema. */
export interface Statements {
  users: { insert: Statement; byId: Statement; byEmail: Statement; delete: Statement };
  tasks: {
    insert: Statement;
    get: Statement;
    delete: Statement;
    list: Record<'first' | 'next' | 'firstFiltered' | 'nextFiltered', Statement>;
    /** The UPDATE for one set of changed fields (7 combinations), built on first use. */
    update(fields: readonly TaskSettable[]): Statement;
  };
}

const bySchema = new Map<string, Statements>();

/** The statements for `schema`, built once per process and schema. */
export function statementsFor(schema: string): Statements {
  let statements = bySchema.get(schema);
  if (!statements) {
    statements = buildStatements(schema);
    bySchema.set(schema, statements);
  }
  return statements;
}

function buildStatements(schema: string): Statements {
  const users = qualified(schema, TABLES.users);
  const tasks = qualified(schema, TABLES.tasks);

  // The four list statements (with or without a cursor, with or without the completion filter).
  // Each is one index range scan: INDEXES.tasksByUser, or INDEXES.tasksByUserAndCompletion with
  // the filter (see schema/names.ts); a page costs the same at any depth.
  const list = (filtered: boolean, after: boolean): Statement => {
    const conditions = ['user_id = $1'];
    let k = 2;
    if (filtered) conditions.push(`is_completed = $${k++}`);
    if (after) {
      conditions.push(`(created_at, id) < ($${k}, $${k + 1})`);
      k += 2;
    }
    return statement(
      `SELECT ${TASK_COLUMNS} FROM ${tasks} WHERE ${conditions.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT $${k}`,
      'read',
    );
  };

  const updates = new Map<string, Statement>();
  const update = (fields: readonly TaskSettable[]): Statement => {
    const key = fields.join(',');
    let found = updates.get(key);
    if (!found) {
      const sets = fields.map((field, i) => `${COLUMN_OF[field]} = $${i + 3}`);
      found = statement(
        `UPDATE ${tasks} SET ${[...sets, 'updated_at = now()'].join(', ')} WHERE id = $1 AND user_id = $2 RETURNING ${TASK_COLUMNS}`,
        'write',
      );
      updates.set(key, found);
    }
    return found;
  };

  return {
    users: {
      insert: statement(`INSERT INTO ${users} (id, email, name) VALUES ($1, $2, $3) RETURNING ${USER_COLUMNS}`, 'write'),
      byId: statement(`SELECT ${USER_COLUMNS} FROM ${users} WHERE id = $1`, 'read'),
      // Served by the unique index on lower(email).
      byEmail: statement(`SELECT ${USER_COLUMNS} FROM ${users} WHERE lower(email) = $1`, 'read'),
      // The tasks go with it: ON DELETE CASCADE, in the same statement.
      delete: statement(`DELETE FROM ${users} WHERE id = $1`, 'write'),
    },
    tasks: {
      insert: statement(
        `INSERT INTO ${tasks} (id, user_id, title, description, is_completed) VALUES ($1, $2, $3, $4, $5) RETURNING ${TASK_COLUMNS}`,
        'write',
      ),
      get: statement(`SELECT ${TASK_COLUMNS} FROM ${tasks} WHERE id = $1 AND user_id = $2`, 'read'),
      delete: statement(`DELETE FROM ${tasks} WHERE id = $1 AND user_id = $2`, 'write'),
      list: { first: list(false, false), next: list(false, true), firstFiltered: list(true, false), nextFiltered: list(true, true) },
      update,
    },
  };
}
