import type { QueryRunner } from '../database/createQueryRunner.js';
import { NotFoundError, type FieldIssue } from '../errors/errors.js';
import { LIMITS, textProblem, titleProblem } from '../models/rules.js';
import type { ListTasksOptions, NewTask, TaskChanges, TaskRecord, TaskService } from './records.js';
import { decodeCursor, encodeCursor } from './taskCursor.js';
import { checkShape, requireId, throwIfIssues } from './validateInput.js';

const COLUMNS = `id, user_id AS "userId", title, description, is_completed AS "isCompleted", created_at AS "createdAt", updated_at AS "updatedAt"`;
const SETTABLE = ['title', 'description', 'isCompleted'] as const;
const COLUMN_OF = { title: 'title', description: 'description', isCompleted: 'is_completed' } as const;

const SQL = {
  insert: `INSERT INTO tasks (id, user_id, title, description, is_completed) VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
  get: `SELECT ${COLUMNS} FROM tasks WHERE id = $1 AND user_id = $2`,
  delete: `DELETE FROM tasks WHERE id = $1 AND user_id = $2`,
  list: listStatements(),
};

// The four list statements (with or without a cursor, with or without the completion filter),
// written once. Each is one index range scan: tasks_user_id_created_at_id_idx, or
// tasks_user_id_is_completed_created_at_id_idx with the filter; a page costs the same at any depth.
function listStatements(): Record<'first' | 'next' | 'firstFiltered' | 'nextFiltered', string> {
  const build = (filtered: boolean, after: boolean) => {
    const conditions = ['user_id = $1'];
    const n = (k: number) => `$${k}`;
    let k = 2;
    if (filtered) conditions.push(`is_completed = ${n(k++)}`);
    if (after) {
      conditions.push(`(created_at, id) < (${n(k)}, ${n(k + 1)})`);
      k += 2;
    }
    return `SELECT ${COLUMNS} FROM tasks WHERE ${conditions.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT ${n(k)}`;
  };
  return { first: build(false, false), next: build(false, true), firstFiltered: build(true, false), nextFiltered: build(true, true) };
}

// UPDATE statements by the set of fields changed (7 combinations), built on first use.
const updateStatements = new Map<string, string>();
function updateStatement(fields: readonly (typeof SETTABLE)[number][]): string {
  const key = fields.join(',');
  let sql = updateStatements.get(key);
  if (sql === undefined) {
    const sets = fields.map((field, i) => `${COLUMN_OF[field]} = $${i + 3}`);
    sql = `UPDATE tasks SET ${[...sets, 'updated_at = now()'].join(', ')} WHERE id = $1 AND user_id = $2 RETURNING ${COLUMNS}`;
    updateStatements.set(key, sql);
  }
  return sql;
}

export function createTaskService(query: QueryRunner, newId: () => string): TaskService {
  const get = async (userId: unknown, taskId: unknown): Promise<TaskRecord> => {
    const { rows } = await query<TaskRecord>(SQL.get, [requireId(taskId, 'taskId'), requireId(userId, 'userId')]);
    if (rows.length === 0) throw new NotFoundError('task');
    return rows[0]!;
  };

  return {
    async create(userId, input: NewTask) {
      const owner = requireId(userId, 'userId');
      const task = parseTaskFields(input, true);
      // An unknown owner fails the foreign key, which translateError reports as NotFoundError('user').
      const { rows } = await query<TaskRecord>(SQL.insert, [newId(), owner, task.title, task.description ?? null, task.isCompleted ?? false]);
      return rows[0]!;
    },

    async list(userId, options: ListTasksOptions = {}) {
      const owner = requireId(userId, 'userId');
      const { limit, after, completed } = parseListOptions(options);
      const values: unknown[] = [owner];
      if (completed !== undefined) values.push(completed);
      if (after) values.push(after.createdAt, after.id);
      values.push(limit + 1); // one more than asked tells whether there is a next page
      const statement =
        completed === undefined ? (after ? SQL.list.next : SQL.list.first) : after ? SQL.list.nextFiltered : SQL.list.firstFiltered;
      const { rows } = await query<TaskRecord>(statement, values);
      const items = rows.length > limit ? rows.slice(0, limit) : rows;
      const last = items[items.length - 1];
      return { items, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
    },

    get,

    async update(userId, taskId, changes: TaskChanges) {
      const owner = requireId(userId, 'userId');
      const id = requireId(taskId, 'taskId');
      const fields = parseTaskFields(changes, false);
      const changed = SETTABLE.filter((field) => fields[field] !== undefined);
      if (changed.length === 0) return get(owner, id);
      const { rows } = await query<TaskRecord>(updateStatement(changed), [id, owner, ...changed.map((field) => fields[field])]);
      if (rows.length === 0) throw new NotFoundError('task');
      return rows[0]!;
    },

    async delete(userId, taskId) {
      const { rowCount } = await query(SQL.delete, [requireId(taskId, 'taskId'), requireId(userId, 'userId')]);
      if (rowCount === 0) throw new NotFoundError('task');
    },
  };
}

/** Validates a new task (title required) or a change set (every field optional). */
function parseTaskFields(input: unknown, isNew: boolean): { title?: string; description?: string | null; isCompleted?: boolean } {
  const { record, issues } = checkShape(input, SETTABLE);
  const out: { title?: string; description?: string | null; isCompleted?: boolean } = {};

  if (record.title !== undefined || isNew) {
    const title = typeof record.title === 'string' ? record.title.trim() : undefined;
    const problem = title === undefined ? (isNew && record.title === undefined ? 'is required' : 'must be a string') : titleProblem(title);
    if (problem) issues.push({ field: 'title', message: problem });
    out.title = title;
  }
  if (record.description !== undefined) {
    const description = record.description;
    const problem =
      description === null ? undefined : typeof description === 'string' ? textProblem(description, LIMITS.descriptionMaxLength) : 'must be a string or null';
    if (problem) issues.push({ field: 'description', message: problem });
    out.description = description as string | null;
  }
  if (record.isCompleted !== undefined) {
    if (typeof record.isCompleted !== 'boolean') issues.push({ field: 'isCompleted', message: 'must be a boolean' });
    out.isCompleted = record.isCompleted as boolean;
  }
  throwIfIssues(issues);
  return out;
}

function parseListOptions(options: unknown): { limit: number; after: ReturnType<typeof decodeCursor> | undefined; completed: boolean | undefined } {
  const { record, issues } = checkShape(options, ['limit', 'cursor', 'completed']);
  const limit = record.limit ?? LIMITS.pageSizeDefault;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > LIMITS.pageSizeMax) {
    issues.push({ field: 'limit', message: `must be an integer from 1 to ${LIMITS.pageSizeMax}` } satisfies FieldIssue);
  }
  const completed = record.completed;
  if (completed !== undefined && typeof completed !== 'boolean') {
    issues.push({ field: 'completed', message: 'must be a boolean' });
  }
  throwIfIssues(issues);
  const after = record.cursor === undefined || record.cursor === null ? undefined : decodeCursor(record.cursor);
  return { limit: limit as number, after, completed: completed as boolean | undefined };
}
