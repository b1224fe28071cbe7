// The contenders of the hot-path benchmark: tododb's service layer, and raw pg running the same
// SQL. Shared by bench/hot-paths.mjs and its client-cost child (bench/support/listCost.mjs).

/** Tasks per page of the list path. */
export const PAGE = 50;

// The service layer's SQL, word for word (src/services/statements.ts), for the raw pg contenders.
export const TASKS = '"public"."tasks"';
export const TASK_COLUMNS = `id, user_id AS "userId", title, description, is_completed AS "isCompleted", created_at AS "createdAt", updated_at AS "updatedAt"`;
export const SQL = {
  list: `SELECT ${TASK_COLUMNS} FROM ${TASKS} WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`,
  get: `SELECT ${TASK_COLUMNS} FROM ${TASKS} WHERE id = $1 AND user_id = $2`,
  insert: `INSERT INTO ${TASKS} (id, user_id, title, description, is_completed) VALUES ($1, $2, $3, $4, $5) RETURNING ${TASK_COLUMNS}`,
  update: `UPDATE ${TASKS} SET is_completed = $3, updated_at = now() WHERE id = $1 AND user_id = $2 RETURNING ${TASK_COLUMNS}`,
  delete: `DELETE FROM ${TASKS} WHERE id = $1 AND user_id = $2`,
};

/** The five task operations, by tododb's service layer. */
export function tododbApi(db) {
  return {
    list: (userId) => db.tasks.list(userId, { limit: PAGE }),
    get: (userId, taskId) => db.tasks.get(userId, taskId),
    create: (userId) => db.tasks.create(userId, { title: 'new task' }),
    update: (userId, taskId, done) => db.tasks.update(userId, taskId, { isCompleted: done }),
    remove: (userId, taskId) => db.tasks.delete(userId, taskId),
  };
}

/** The same five operations by raw pg: the same SQL and values, unnamed or as named statements. */
export function pgApi(pool, named) {
  // pool.query(text, values) as most code calls it: pg copies a config object ({ text, values })
  // property by property, the text alone it does not.
  const run = (key, values) => (named ? pool.query({ name: `bench_${key}`, text: SQL[key], values }) : pool.query(SQL[key], values));
  return {
    list: (userId) => run('list', [userId, PAGE + 1]),
    get: (userId, taskId) => run('get', [taskId, userId]),
    create: (userId) => run('insert', [crypto.randomUUID(), userId, 'new task', null, false]),
    update: (userId, taskId, done) => run('update', [taskId, userId, done]),
    remove: (userId, taskId) => run('delete', [taskId, userId]),
  };
}
