// Hot-path benchmark, on the built dist/: tododb's service layer against raw `pg` running the
// same SQL on a pool of the same size — with unnamed statements (what `pool.query(text, values)`
// sends) and with named ones — at 1 and at 32 concurrent callers; the client CPU and GC time of a
// list call; the same through a real PgBouncer when one is installed; and the cost of a page deep
// in a 200,000-task list. Each contender runs in a process of its own (contenderProcess.mjs); they
// take turns, round after round. Prints markdown tables; asserts nothing.
//
//   npm run bench                               # against the local server
//   BENCH_DATABASE_URL=postgres://… npm run bench
//   BENCH_ROUNDS=3 BENCH_OPS_SERIAL=300 BENCH_OPS_PARALLEL=1000 npm run bench   # shorter
//
// It creates (and afterwards drops) databases of its own, named tododb_bench_…, on that server.
import pg from 'pg';
import { createDatabase, createMigrator } from '../dist/index.js';
import { SERVER_URL, createBenchDatabase } from './support/benchDatabase.mjs';
import { machineLine } from './support/machine.mjs';
import { startPgBouncer } from './support/pgbouncer.mjs';
import { forkContender } from './support/contenderProcess.mjs';
import { PAGE, TASKS, TASK_COLUMNS, hotPaths } from './support/contenders.mjs';
import { fixed, markdownTable, median } from './support/stats.mjs';

const POOL = 10;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const OPS = { 1: Number(process.env.BENCH_OPS_SERIAL ?? 600), 32: Number(process.env.BENCH_OPS_PARALLEL ?? 2000) };
const CPU_CALLS = Number(process.env.BENCH_CPU_CALLS ?? 6000);
const USERS = 100;
const TASKS_PER_USER = 200;
const DEEP_TASKS = 200_000;

/** Migrates and fills the database: USERS users with TASKS_PER_USER tasks each. `admin` stays for making spares. */
async function seed(url, admin) {
  const db = createDatabase({ url, pool: { max: 2 } }, {});
  try {
    await createMigrator(db).up();
    const users = [];
    for (let i = 0; i < USERS; i += 1) users.push((await db.users.create({ email: `bench${i}@example.com` })).id);
    await admin.query(
      `INSERT INTO tasks (id, user_id, title, created_at) SELECT gen_random_uuid(), u, 'task ' || i, now() - i * interval '1 second'
       FROM unnest($1::uuid[]) AS u, generate_series(1, ${TASKS_PER_USER}) AS i`,
      [users],
    );
    await admin.query('ANALYZE');
    const tasks = (await admin.query('SELECT id, user_id AS "userId" FROM tasks')).rows;
    // Tasks for the delete cases, made before each timed run so that deletes always hit a row.
    const spares = async (count) =>
      (
        await admin.query(
          `INSERT INTO tasks (id, user_id, title) SELECT gen_random_uuid(), ($1::uuid[])[1 + i % $2], 'spare' FROM generate_series(1, $3) AS i
           RETURNING id, user_id AS "userId"`,
          [users, users.length, count],
        )
      ).rows;
    return { users, tasks, spares };
  } finally {
    await db.close();
  }
}

/**
 * Every hot path at 1 and 32 callers, each contender (a process of its own) `rounds` times after
 * one round to warm up, interleaved: the order turns each round so that none always runs on the
 * warmest cache.
 * Returns median calls per second.
 */
async function compareHotPaths(contenders, data, rounds) {
  const names = Object.keys(contenders);
  const results = [];
  for (const concurrency of [1, 32]) {
    for (const [path, hot] of Object.entries(hotPaths(data))) {
      const ops = OPS[concurrency];
      const rates = Object.fromEntries(names.map((name) => [name, []]));
      // One untimed round each to warm up: a process's first thousands of calls run code V8 has
      // not optimised yet, and a contender with more code of its own pays more for that.
      for (const name of names) await contenders[name].run(path, concurrency, ops, hot.spares ? await data.spares(ops) : []);
      for (let round = 0; round < rounds; round += 1) {
        const order = names.map((_, k) => names[(k + round) % names.length]);
        for (const name of order) {
          const spares = hot.spares ? await data.spares(ops) : [];
          rates[name].push(await contenders[name].run(path, concurrency, ops, spares));
        }
      }
      results.push({ path, concurrency, rate: Object.fromEntries(names.map((name) => [name, median(rates[name])])) });
    }
  }
  return results;
}

/**
 * Client CPU (process.cpuUsage) per list call and the share of wall time spent in GC pauses, over
 * CPU_CALLS list calls at 32 callers after a quarter as many to warm up, interleaved.
 */
async function compareClientCost(contenders, rounds) {
  const names = Object.keys(contenders);
  const samples = Object.fromEntries(names.map((name) => [name, { cpu: [], gc: [] }]));
  for (let round = 0; round < rounds; round += 1) {
    for (const name of names.map((_, k) => names[(k + round) % names.length])) {
      const { cpuUs, gcShare } = await contenders[name].cost(CPU_CALLS);
      samples[name].cpu.push(cpuUs);
      samples[name].gc.push(gcShare);
    }
  }
  return Object.fromEntries(names.map((name) => [name, { cpuUs: median(samples[name].cpu), gcShare: median(samples[name].gc) }]));
}

/** Starts each named contender in a process of its own (see contenderProcess.mjs). */
async function forkContenders(names, options) {
  const contenders = {};
  for (const name of names) contenders[name] = await forkContender(name, options);
  return contenders;
}

/** Time of pages deep in one user's 200,000 tasks, walked by cursor, against OFFSET by raw pg. */
async function deepPagination(url) {
  const db = createDatabase({ url, pool: { max: 2 } }, {});
  const raw = new pg.Pool({ connectionString: url, max: 2 });
  try {
    const owner = (await db.users.create({ email: 'deep@example.com' })).id;
    await raw.query(
      `INSERT INTO tasks (id, user_id, title, created_at) SELECT gen_random_uuid(), $1, 'task ' || i, now() - i * interval '1 millisecond'
       FROM generate_series(1, ${DEEP_TASKS}) AS i`,
      [owner],
    );
    await raw.query('ANALYZE tasks');
    const keyset = [];
    let cursor = null;
    for (let page = 1; page <= 1000; page += 1) {
      const started = performance.now();
      const result = await db.tasks.list(owner, { limit: PAGE, cursor });
      keyset.push(performance.now() - started);
      cursor = result.nextCursor;
    }
    const ranges = [
      [1, 10],
      [91, 100],
      [491, 500],
      [991, 1000],
    ];
    const rows = [];
    for (const [from, to] of ranges) {
      const offset = [];
      for (let page = from; page <= to; page += 1) {
        const started = performance.now();
        await raw.query(
          `SELECT ${TASK_COLUMNS} FROM ${TASKS} WHERE user_id = $1 ORDER BY created_at DESC, id DESC LIMIT ${PAGE} OFFSET $2`,
          [owner, (page - 1) * PAGE],
        );
        offset.push(performance.now() - started);
      }
      rows.push([`${from}–${to}`, fixed(median(keyset.slice(from - 1, to)), 2), fixed(median(offset), 2)]);
    }
    return rows;
  } finally {
    await db.close();
    await raw.end();
  }
}

/** Ends a pg pool, or closes a contender's process. */
function closeHandle(handle) {
  return (handle.end ? handle.end() : handle.close()).catch(() => {});
}

function ratio(ours, theirs) {
  return `${fixed(ours / theirs, 2)}×`;
}

console.log(`# tododb hot paths vs raw pg\n\n${machineLine()} (at start)\n`);
const database = await createBenchDatabase('hot');
const opened = [];
try {
  const open = (handle) => {
    opened.push(handle);
    handle.on?.('error', () => {}); // a pg pool's idle clients are terminated when the database is dropped
    return handle;
  };
  const data = await seed(database.url, open(new pg.Pool({ connectionString: database.url, max: 1 })));

  const direct = await forkContenders(['pg', 'pg named', 'tododb'], { url: database.url, pool: POOL, data });
  opened.push(...Object.values(direct));
  const results = await compareHotPaths(direct, data, ROUNDS);
  console.log(
    `## Direct connection\n\npool ${POOL}, each contender in a process of its own; median calls/s of ${ROUNDS} interleaved rounds, after one to warm up, of ${OPS[1]} (1 caller) or ${OPS[32]} (32 callers) calls; ` +
      `ratio = tododb calls/s ÷ pg calls/s (goal ≥ 1.00, ≥ 1.15 against unnamed statements)\n`,
  );
  console.log(
    markdownTable(
      ['hot path', 'callers', 'pg', 'pg named', 'tododb', 'tododb ÷ pg', 'tododb ÷ pg named'],
      results.map(({ path, concurrency, rate }) => [
        path,
        concurrency,
        fixed(rate.pg, 0),
        fixed(rate['pg named'], 0),
        fixed(rate.tododb, 0),
        ratio(rate.tododb, rate.pg),
        ratio(rate.tododb, rate['pg named']),
      ]),
    ),
  );

  const cost = await compareClientCost(direct, ROUNDS);
  console.log(
    `\n## Client cost of a list call\n\n${CPU_CALLS} calls of list 50 at 32 callers after ${CPU_CALLS / 4} to warm up, median of ${ROUNDS} interleaved rounds (goal: tododb within 10 % of pg)\n`,
  );
  console.log(
    markdownTable(
      ['contender', 'CPU µs per call', 'GC share of wall time', 'CPU ÷ pg'],
      Object.entries(cost).map(([name, { cpuUs, gcShare }]) => [
        name,
        fixed(cpuUs, 0),
        `${fixed(gcShare * 100, 1)} %`,
        ratio(cpuUs, cost.pg.cpuUs),
      ]),
    ),
  );

  const started = await startPgBouncer(SERVER_URL, { poolSize: POOL });
  if (started.bouncer) {
    const { bouncer } = started;
    let through = {};
    try {
      const url = bouncer.url(database.name);
      through = await forkContenders(['pg', 'tododb'], { url, pool: POOL, pgbouncer: true, data });
      const bounced = await compareHotPaths(through, data, ROUNDS);
      console.log(
        `\n## Through PgBouncer (transaction mode, ${POOL} server connections)\n\nunnamed statements on both sides (goal: tododb ÷ pg ≥ 0.95)\n`,
      );
      console.log(
        markdownTable(
          ['hot path', 'callers', 'pg', 'tododb', 'tododb ÷ pg'],
          bounced.map(({ path, concurrency, rate }) => [
            path,
            concurrency,
            fixed(rate.pg, 0),
            fixed(rate.tododb, 0),
            ratio(rate.tododb, rate.pg),
          ]),
        ),
      );
    } finally {
      for (const contender of Object.values(through)) await closeHandle(contender);
      await bouncer.stop();
    }
  } else {
    console.log(`\n## Through PgBouncer\n\nskipped: ${started.skipped}`);
  }

  console.log(
    `\n## Deep pages\n\none user with ${DEEP_TASKS.toLocaleString('en')} tasks, pages of ${PAGE}; median ms per page, tododb's cursor against raw pg's OFFSET (goal: flat to page 1,000)\n`,
  );
  console.log(markdownTable(['pages', 'tododb (cursor) ms', 'pg OFFSET ms'], await deepPagination(database.url)));
  console.log(`\n${machineLine()} (at end)`);
} finally {
  for (const handle of opened) await closeHandle(handle);
  await database.drop();
}
