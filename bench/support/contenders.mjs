// The contenders of the hot-path benchmark (bench/hot-paths.mjs): tododb's service layer, and raw
// pg running the same SQL; the hot paths; and the loop that times them. Each contender runs in a
// process of its own (bench/support/contenderProcess.mjs).

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

// Each case is one call for operation number `i`; `spares` are tasks made for it to delete.
export function hotPaths(data) {
  const userAt = (i) => data.users[i % data.users.length];
  const taskAt = (i) => data.tasks[(i * 7919) % data.tasks.length];
  return {
    'list 50': { run: (api, i) => api.list(userAt(i)) },
    get: { run: (api, i) => api.get(taskAt(i).userId, taskAt(i).id) },
    create: { run: (api, i) => api.create(userAt(i)) },
    update: { run: (api, i) => api.update(taskAt(i).userId, taskAt(i).id, i % 2 === 0) },
    delete: { spares: true, run: (api, i, spares) => api.remove(spares[i].userId, spares[i].id) },
    // A todo app's day: half lists, then reads, writes and deletes.
    mix: {
      spares: true,
      run: (api, i, spares) => {
        const kind = i % 10;
        if (kind < 5) return api.list(userAt(i));
        if (kind < 7) return api.get(taskAt(i).userId, taskAt(i).id);
        if (kind === 7) return api.create(userAt(i));
        if (kind === 8) return api.update(taskAt(i).userId, taskAt(i).id, i % 2 === 0);
        return api.remove(spares[i].userId, spares[i].id);
      },
    },
  };
}

/** Runs `ops` calls of `run` with `concurrency` callers; returns calls per second. */
export async function measure(run, ops, concurrency, spares) {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < ops) {
        const i = next++;
        await run(i, spares);
      }
    }),
  );
  return ops / ((performance.now() - started) / 1000);
}
