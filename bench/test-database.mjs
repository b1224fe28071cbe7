// The test kit: how long createTestDatabase() takes, in a new process each time.
//   - first call, template missing: builds (migrates) the template, then clones it
//   - first call, template present: what each new test process pays (finds it, clones it)
//   - each later call: the median of 20 clones
// Asserts nothing; drops everything it made, including the template it built.
//
//   npm run build && node bench/test-database.mjs   # against BENCH_DATABASE_URL, else the local server
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

const url = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const CALLS = 20;

// One process: the first call, then CALLS more, each timed alone; prints the times as JSON.
const program = `
  const { createTestDatabase } = await import('tododb/testing');
  const made = [];
  const time = async () => {
    const started = performance.now();
    made.push(await createTestDatabase({ adminUrl: process.env.URL, templateKey: process.env.KEY }, {}));
    return performance.now() - started;
  };
  const first = await time();
  const later = [];
  for (let i = 0; i < ${CALLS}; i += 1) later.push(await time());
  for (const t of made) await t.drop();
  console.log(JSON.stringify({ first, later, template: made[0].template }));`;

function run(key) {
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', program], {
    env: { ...process.env, URL: url, KEY: key },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`the benchmark process failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

async function dropTemplate(name) {
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`ALTER DATABASE "${name}" WITH IS_TEMPLATE false`);
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const ms = (value) => `${value.toFixed(0).padStart(6)} ms`;

// A template key of this run's own, so that the first process must build the template.
const key = `bench-${randomBytes(8).toString('hex')}`;
const cold = run(key);
const warm = run(key); // a new process: the template is there
await dropTemplate(cold.template);

console.log(`createTestDatabase(), each run in a new process`);
console.log(`first call, template missing (migrates it)  ${ms(cold.first)}`);
console.log(`first call, template present                ${ms(warm.first)}`);
console.log(`each later call, median of ${CALLS}             ${ms(median(warm.later))}`);
