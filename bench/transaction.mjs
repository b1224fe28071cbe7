// What db.transaction() costs: two service calls (users.get + tasks.list) inside a transaction,
// against the same two calls on their own, at 1 and 16 concurrent callers. Prints a table and
// the machine's load average; asserts nothing.
//
//   npm run bench:transaction          # against BENCH_DATABASE_URL, else the local server
//   BENCH_ROUNDS=9 npm run bench:transaction
//
// Runs the built package (dist/), as users do. It creates (and afterwards drops) a database of
// its own, named after this process, on that server.
import { cpus, loadavg } from 'node:os';
import pg from 'pg';
import { median, microsPerOp } from './support/stats.mjs';
import { createDatabase, createMigrator } from '../dist/index.js';

const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const POOL = Number(process.env.BENCH_POOL ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const OPS = { 1: Number(process.env.BENCH_OPS_SERIAL ?? 400), 16: Number(process.env.BENCH_OPS_PARALLEL ?? 1600) };
// Its own name, so that two engineers (or `npm run bench`) on one server do not drop each other's.
const DATABASE = `tododb_bench_tx_${process.pid}`;

const admin = new pg.Client({ connectionString: serverUrl });
await admin.connect();
await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
await admin.query(`CREATE DATABASE ${DATABASE}`);
const url = new URL(serverUrl);
url.pathname = `/${DATABASE}`;

const db = createDatabase({ url: url.toString(), pool: { max: POOL } }, {});
try {
  await createMigrator(db).up();
  // 100 users with 50 tasks each: a page of 20 is a real index scan, not an empty one.
  const users = [];
  for (let i = 0; i < 100; i += 1) users.push((await db.users.create({ email: `bench${i}@example.com` })).id);
  const seed = new pg.Client({ connectionString: url.toString() });
  await seed.connect();
  await seed.query(
    `INSERT INTO tasks (id, user_id, title, created_at) SELECT gen_random_uuid(), u, 'task ' || i, now() - i * interval '1 second'
     FROM unnest($1::uuid[]) AS u, generate_series(1, 50) AS i`,
    [users],
  );
  await seed.query('ANALYZE');
  await seed.end();
  const userOf = (i) => users[(i * 7) % users.length];

  const cases = {
    // The baseline: each call takes a pooled connection of its own.
    plain: async (i) => {
      await db.users.get(userOf(i));
      await db.tasks.list(userOf(i), { limit: 20 });
    },
    // The same two calls through tx: BEGIN and COMMIT added, one connection held throughout.
    'db.transaction': (i) =>
      db.transaction(async (tx) => {
        await tx.users.get(userOf(i));
        await tx.tasks.list(userOf(i), { limit: 20 });
      }),
    // The same, with db.* calls that find the transaction through the async context.
    'db.* in db.transaction': (i) =>
      db.transaction(async () => {
        await db.users.get(userOf(i));
        await db.tasks.list(userOf(i), { limit: 20 });
      }),
  };

  // A round's wall time per operation in µs.
  const measure = microsPerOp;
  const load = () =>
    loadavg()
      .map((value) => value.toFixed(2))
      .join(' ');

  const names = Object.keys(cases);
  console.log(`db.transaction() vs the same two calls without it (users.get + tasks.list, page of 20)`);
  console.log(`pool ${POOL}, ${ROUNDS} interleaved rounds; µs/op = a round's wall time ÷ its operations, median of the rounds;`);
  console.log(`ratio = median µs/op of the case ÷ that of plain; paired = median over rounds of the case ÷ plain in the same round`);
  console.log(`(steadier on a busy machine). ${cpus().length} CPUs, load average before: ${load()}`);
  console.log(
    `${'case'.padEnd(24)} ${'callers'.padStart(7)} ${'ops/round'.padStart(9)} ${'µs/op'.padStart(8)} ${'min'.padStart(8)} ${'max'.padStart(8)} ${'ratio'.padStart(7)} ${'paired'.padStart(7)}`,
  );
  for (const concurrency of [1, 16]) {
    for (const name of names) await measure(cases[name], 200, concurrency); // warm every path and the pool
    const results = Object.fromEntries(names.map((name) => [name, []]));
    for (let round = 0; round < ROUNDS; round += 1) {
      // Rotate which case goes first, so that none always meets the warmest (or the busiest) moment.
      const order = names.map((_, k) => names[(k + round) % names.length]);
      for (const name of order) results[name].push(await measure(cases[name], OPS[concurrency], concurrency));
    }
    const baseline = median(results.plain);
    for (const name of names) {
      const perOp = median(results[name]);
      const cells = [
        name.padEnd(24),
        String(concurrency).padStart(7),
        String(OPS[concurrency]).padStart(9),
        perOp.toFixed(0).padStart(8),
        Math.min(...results[name])
          .toFixed(0)
          .padStart(8),
        Math.max(...results[name])
          .toFixed(0)
          .padStart(8),
        `${(perOp / baseline).toFixed(2)}x`.padStart(7),
        `${median(results[name].map((value, round) => value / results.plain[round])).toFixed(2)}x`.padStart(7),
      ];
      console.log(cells.join(' '));
    }
  }
  console.log(`load average after: ${load()}`);
} finally {
  await db.close();
  await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  await admin.end();
}
