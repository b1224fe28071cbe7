// One contender of the hot-path benchmark's client-cost table, in a process of its own:
//   BENCH_URL=postgres://… node bench/support/listCost.mjs <pg|pg named|tododb> <calls>
// Runs a quarter of <calls> list calls to warm up, then <calls> at 32 callers, and prints
// {"cpuUs", "gcShare"}: process CPU per call and the share of the wall time in GC pauses.
import { PerformanceObserver } from 'node:perf_hooks';
import pg from 'pg';
import { createDatabase } from '../../dist/index.js';
import { pgApi, tododbApi } from './contenders.mjs';

const [name, callsArgument] = process.argv.slice(2);
const calls = Number(callsArgument);
const url = process.env.BENCH_URL;
const POOL = 10;
const CALLERS = 32;

const pool = new pg.Pool({ connectionString: url, max: POOL });
const db = name === 'tododb' ? createDatabase({ url, pool: { max: POOL } }, {}) : undefined;
try {
  const users = (await pool.query('SELECT id FROM users ORDER BY id')).rows.map((row) => row.id);
  const api = db ? tododbApi(db) : pgApi(pool, name === 'pg named');
  const run = async (count) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: CALLERS }, async () => {
        while (next < count) await api.list(users[next++ % users.length]);
      }),
    );
  };
  await run(calls / 4);
  const pauses = [];
  const observer = new PerformanceObserver((list) => pauses.push(...list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await run(calls);
  const ended = performance.now();
  const cpu = process.cpuUsage(cpuBefore);
  await new Promise((resolve) => setImmediate(resolve)); // let the last GC entries arrive
  pauses.push(...observer.takeRecords());
  observer.disconnect();
  const gcMs = pauses
    .filter((entry) => entry.startTime >= started && entry.startTime < ended)
    .reduce((sum, entry) => sum + entry.duration, 0);
  console.log(JSON.stringify({ cpuUs: (cpu.user + cpu.system) / calls, gcShare: gcMs / (ended - started) }));
} finally {
  await db?.close();
  await pool.end();
}
