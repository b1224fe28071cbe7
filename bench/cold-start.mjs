// Cold start: a new Node process, from nothing to the first query's answer, with tododb and
// with raw pg. Prints the median of several runs; asserts nothing.
//
//   npm run bench:cold       # against BENCH_DATABASE_URL, else the local server
import { spawnSync } from 'node:child_process';

const url = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const RUNS = Number(process.env.BENCH_RUNS ?? 7);

// Each program prints how long it took from process start to the first result, in ms.
const programs = {
  'raw pg': `
    const pg = (await import('pg')).default;
    const pool = new pg.Pool({ connectionString: process.env.URL, max: 10 });
    await pool.query('SELECT 1');
    console.log(performance.now());
    await pool.end();`,
  'tododb (service layer)': `
    const { createDatabase } = await import('./dist/index.js');
    const db = createDatabase({ url: process.env.URL }, {});
    await db.users.getByEmail('nobody@example.com').catch(() => {});
    console.log(performance.now());
    await db.close();`,
};

const median = (values) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)];
console.log(`cold start, process start to first answer, median of ${RUNS} runs`);
for (const [name, source] of Object.entries(programs)) {
  const times = [];
  for (let run = 0; run < RUNS; run += 1) {
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', source], { env: { ...process.env, URL: url }, encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`${name} failed: ${result.stderr}`);
    times.push(Number(result.stdout.trim()));
  }
  console.log(`${name.padEnd(24)} ${median(times).toFixed(0).padStart(6)} ms`);
}
