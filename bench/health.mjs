// checkHealth latency, on the built dist/: p50 and p99 of sequential checks, with the handle idle
// and with 32 callers keeping its pool busy; beside it, for scale, what raw pg takes to open a
// new connection and run one query (checkHealth's probe opens a connection of its own, so that a
// busy pool cannot starve it). Prints a markdown table; asserts nothing.
//
//   npm run bench:health                         # against the local server
//   BENCH_DATABASE_URL=postgres://… BENCH_CHECKS=500 npm run bench:health
import pg from 'pg';
import { checkHealth, createDatabase, createMigrator } from '../dist/index.js';
import { createBenchDatabase } from './support/benchDatabase.mjs';
import { machineLine } from './support/machine.mjs';
import { fixed, markdownTable, median, percentile } from './support/stats.mjs';

const CHECKS = Number(process.env.BENCH_CHECKS ?? 300);
const CALLERS = 32;
const POOL = 10;

/** Runs `probe` CHECKS times one after another (after a few untimed ones); returns the times in ms. */
async function timeSequentially(probe) {
  for (let i = 0; i < 10; i += 1) await probe();
  const times = [];
  for (let i = 0; i < CHECKS; i += 1) {
    const started = performance.now();
    await probe();
    times.push(performance.now() - started);
  }
  return times;
}

/** Keeps the handle's pool busy with CALLERS callers listing and reading tasks until `stop()`. */
async function keepBusy(db) {
  const user = await db.users.create({ email: `busy${Date.now()}@example.com` });
  const task = await db.tasks.create(user.id, { title: 'busy' });
  let running = true;
  let calls = 0;
  const callers = Array.from({ length: CALLERS }, async (_, n) => {
    while (running) {
      await (n % 2 === 0 ? db.tasks.list(user.id, { limit: 50 }) : db.tasks.get(user.id, task.id));
      calls += 1;
    }
  });
  while (db.stats().waiting === 0) await new Promise((resolve) => setImmediate(resolve)); // the pool is saturated
  return async () => {
    running = false;
    await Promise.all(callers);
    return calls;
  };
}

console.log(`# checkHealth latency\n\n${machineLine()} (at start)\n`);
const database = await createBenchDatabase('health');
const db = createDatabase({ url: database.url, pool: { max: POOL } }, {});
try {
  await createMigrator(db).up();
  const health = async () => {
    const report = await checkHealth(db);
    if (report.status !== 'ok') throw new Error(`checkHealth: ${report.reason}`);
  };
  const rawProbe = async () => {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    await client.query('SELECT 1');
    await client.end();
  };

  const rows = [];
  const row = (what, load, times) => rows.push([what, load, fixed(median(times), 2), fixed(percentile(times, 99), 2)]);
  row('checkHealth(db)', 'idle', await timeSequentially(health));
  row('raw pg: connect, SELECT 1, end', 'idle', await timeSequentially(rawProbe));
  let stop = await keepBusy(db);
  row('checkHealth(db)', `${CALLERS} callers, pool ${POOL} full`, await timeSequentially(health));
  await stop();
  stop = await keepBusy(db);
  row('raw pg: connect, SELECT 1, end', `${CALLERS} callers, pool ${POOL} full`, await timeSequentially(rawProbe));
  await stop();

  console.log(`${CHECKS} sequential checks each (goal: checkHealth p50 ≤ 2 ms idle, p99 ≤ 10 ms busy)\n`);
  console.log(markdownTable(['probe', 'load', 'p50 ms', 'p99 ms'], rows));
  console.log(`\n${machineLine()} (at end)`);
} finally {
  await db.close();
  await database.drop();
}
