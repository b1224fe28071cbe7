import { NotFoundError, type FieldIssue } from '../errors/errors.js';
import { LIMITS, textProblem, titleProblem } from '../models/rules.js';
import type { ListTasksOptions, NewTask, TaskChanges, TaskRecord, TaskService } from './records.js';
import { decodeCursor, encodeCursor } from './taskCursor.js';
import { TASK_SETTABLE, type Query, type Statements } from './statements.js';
import { checkShape, requireId, throwIfIssues } from './validateInput.js';

export function createTaskService(query: Query, statements: Statements, newId: () => string): TaskService {
  const SQL = statements.tasks;
  const get = async (userId: unknown, taskId: unknown): Promise<TaskRecord> => {
    const owner = requireId(userId, 'userId');
    const { rows } = await query<TaskRecord>(SQL.get, [requireId(taskId, 'taskId'), owner], owner);
    if (rows.length === 0) throw new NotFoundError('task');
    return rows[0]!;
  };

  return {
    async create(userId, input: NewTask) {
      const owner = requireId(userId, 'userId');
      const task = parseTaskFields(input, true);
      // An unknown owner fails the foreign key, which translateError reports as NotFoundError('user').
      const { rows } = await query<TaskRecord>(
        SQL.insert,
        [newId(), owner, task.title, task.description ?? null, task.isCompleted ?? false],
        owner,
      );
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
      const { rows } = await query<TaskRecord>(statement, values, owner);
      const items = rows.length > limit ? rows.slice(0, limit) : rows;
      const last = items[items.length - 1];
      return { items, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
    },

    get,

    async update(userId, taskId, changes: TaskChanges) {
      const owner = requireId(userId, 'userId');
      const id = requireId(taskId, 'taskId');
      const fields = parseTaskFields(changes, false);
      const changed = TASK_SETTABLE.filter((field) => fields[field] !== undefined);
      if (changed.length === 0) return get(owner, id);
      const { rows } = await query<TaskRecord>(SQL.update(changed), [id, owner, ...changed.map((field) => fields[field])], owner);
      if (rows.length === 0) throw new NotFoundError('task');
      return rows[0]!;
    },

    async delete(userId, taskId) {
      const owner = requireId(userId, 'userId');
      const { rowCount } = await query(SQL.delete, [requireId(taskId, 'taskId'), owner], owner);
      if (rowCount === 0) throw new NotFoundError('task');
    },
  };
}

/** Validates a new task (title required) or a change set (every field optional). */
function parseTaskFields(input: unknown, isNew: boolean): { title?: string; description?: string | null; isCompleted?: boolean } {
  const { record, issues } = checkShape(input, TASK_SETTABLE);
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
      description === null
        ? undefined
        : typeof description === 'string'
          ? textProblem(description, LIMITS.descriptionMaxLength)
          : 'must be a string or null';
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

function parseListOptions(options: unknown): {
  limit: number;
  after: ReturnType<typeof decodeCursor> | undefined;
  completed: boolean | undefined;
} {
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
