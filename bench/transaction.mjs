// What db.transaction() costs: two service calls (users.get + tasks.list) inside a transaction,
// against the same two calls on their own, at 1 and 16 concurrent callers. Prints a table and
// the machine's load average; asserts nothing.
//
//   npm run bench:transaction          # against BENCH_DATABASE_URL, else the local server
//   BENCH_ROUNDS=9 npm run bench:transaction
//
// Runs the built package (dist/), as users do. It creates (and afterwards drops) a database of
// its own, named after this process, on that server.
import pg from 'pg';
import { seedUsersAndTasks } from './support/benchDatabase.mjs';
import { compareCases } from './support/stats.mjs';
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
  const users = await seedUsersAndTasks(db, url.toString());
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

  console.log(`db.transaction() vs the same two calls without it (users.get + tasks.list, page of 20)`);
  await compareCases({ cases, baseline: 'plain', rounds: ROUNDS, ops: OPS, warmOps: 200, pool: POOL });
} finally {
  await db.close();
  await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  await admin.end();
}
