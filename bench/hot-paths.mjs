// Hot-path benchmark: tododb's service layer against raw `pg` running the same statements on
// a pool of the same size, at 1 and at 32 concurrent callers. Prints a table; asserts nothing.
//
//   npm run bench                      # against BENCH_DATABASE_URL, else the local server
//   BENCH_DATABASE_URL=postgres://… npm run bench
//
// It creates (and afterwards drops) a database of its own named tododb_bench on that server.
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { createDatabase, createMigrator } from '../dist/index.js';

const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const POOL = 10;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const OPS = { 1: Number(process.env.BENCH_OPS_SERIAL ?? 2000), 32: Number(process.env.BENCH_OPS_PARALLEL ?? 8000) };

const TASK_COLUMNS = `id, user_id AS "userId", title, description, is_completed AS "isCompleted", created_at AS "createdAt", updated_at AS "updatedAt"`;

const admin = new pg.Client({ connectionString: serverUrl });
await admin.connect();
await admin.query('DROP DATABASE IF EXISTS tododb_bench WITH (FORCE)');
await admin.query('CREATE DATABASE tododb_bench');
const url = new URL(serverUrl);
url.pathname = '/tododb_bench';

const db = createDatabase({ url: url.toString(), pool: { max: POOL } }, {});
const raw = new pg.Pool({ connectionString: url.toString(), max: POOL });
raw.on('error', () => {}); // idle clients are terminated by the DROP DATABASE at the end
try {
  await createMigrator(db).up();
  // 100 users with 200 tasks each.
  const users = [];
  for (let i = 0; i < 100; i += 1) users.push((await db.users.create({ email: `bench${i}@example.com` })).id);
  await raw.query(
    `INSERT INTO tasks (id, user_id, title, created_at) SELECT gen_random_uuid(), u, 'task ' || i, now() - i * interval '1 second'
     FROM unnest($1::uuid[]) AS u, generate_series(1, 200) AS i`,
    [users],
  );
  await raw.query('ANALYZE');
  const tasks = (await raw.query('SELECT id, user_id FROM tasks')).rows;
  const anyTask = (i) => tasks[(i * 7919) % tasks.length];

  const cases = {
    'get task': {
      tododb: (i) => db.tasks.get(anyTask(i).user_id, anyTask(i).id),
      pg: (i) => raw.query(`SELECT ${TASK_COLUMNS} FROM tasks WHERE id = $1 AND user_id = $2`, [anyTask(i).id, anyTask(i).user_id]),
    },
    'list 20 newest': {
      tododb: (i) => db.tasks.list(users[i % users.length], { limit: 20 }),
      pg: (i) =>
        raw.query(`SELECT ${TASK_COLUMNS} FROM tasks WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2`, [users[i % users.length], 21]),
    },
    'create task': {
      tododb: (i) => db.tasks.create(users[i % users.length], { title: 'new task' }),
      pg: (i) =>
        raw.query(`INSERT INTO tasks (id, user_id, title, description, is_completed) VALUES ($1, $2, $3, $4, $5) RETURNING ${TASK_COLUMNS}`, [
          randomUUID(),
          users[i % users.length],
          'new task',
          null,
          false,
        ]),
    },
    'update task': {
      tododb: (i) => db.tasks.update(anyTask(i).user_id, anyTask(i).id, { isCompleted: i % 2 === 0 }),
      pg: (i) =>
        raw.query(`UPDATE tasks SET is_completed = $3, updated_at = now() WHERE id = $1 AND user_id = $2 RETURNING ${TASK_COLUMNS}`, [
          anyTask(i).id,
          anyTask(i).user_id,
          i % 2 === 0,
        ]),
    },
    'get user': {
      tododb: (i) => db.users.get(users[i % users.length]),
      pg: (i) => raw.query(`SELECT id, email, name, created_at AS "createdAt", updated_at AS "updatedAt" FROM users WHERE id = $1`, [users[i % users.length]]),
    },
  };

  // Runs `ops` calls with `concurrency` callers; returns operations per second.
  async function measure(run, ops, concurrency) {
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < ops) await run(next++);
      }),
    );
    return ops / ((performance.now() - started) / 1000);
  }
  const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];

  console.log(`tododb hot paths vs raw pg — pool ${POOL}, ${ROUNDS} rounds, median ops/s; ratio = tododb time per op ÷ pg time per op (goal: <= 1.15)`);
  console.log(`${'case'.padEnd(16)} ${'callers'.padStart(7)} ${'pg ops/s'.padStart(10)} ${'tododb ops/s'.padStart(13)} ${'ratio'.padStart(7)}`);
  for (const concurrency of [1, 32]) {
    for (const [name, impl] of Object.entries(cases)) {
      await measure(impl.pg, 200, concurrency); // warm both paths
      await measure(impl.tododb, 200, concurrency);
      const results = { pg: [], tododb: [] };
      for (let round = 0; round < ROUNDS; round += 1) {
        // Alternate which goes first so that neither always gets the warmer cache.
        const order = round % 2 === 0 ? ['pg', 'tododb'] : ['tododb', 'pg'];
        for (const which of order) results[which].push(await measure(impl[which], OPS[concurrency], concurrency));
      }
      const pgRate = median(results.pg);
      const ourRate = median(results.tododb);
      console.log(
        `${name.padEnd(16)} ${String(concurrency).padStart(7)} ${pgRate.toFixed(0).padStart(10)} ${ourRate.toFixed(0).padStart(13)} ${(pgRate / ourRate).toFixed(2).padStart(6)}x`,
      );
    }
  }
} finally {
  await db.close();
  await raw.end();
  await admin.query('DROP DATABASE IF EXISTS tododb_bench WITH (FORCE)');
  await admin.end();
}
