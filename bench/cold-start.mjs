// Cold start, on the built dist/: a new Node process from its spawn to the first answer of a
// query, with tododb's service layer and with raw pg (and, for contrast, with tododb's models);
// its peak RSS; how long createDatabase() takes; and createDatabase → first answer in-process
// against a server 20 ms away (a latency-adding proxy on 127.0.0.1). Prints markdown tables;
// asserts nothing.
//
//   npm run bench:cold                           # against the local server
//   BENCH_DATABASE_URL=postgres://… BENCH_RUNS=15 npm run bench:cold
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createDatabase, createMigrator } from '../dist/index.js';
import { createBenchDatabase } from './support/benchDatabase.mjs';
import { startLatencyProxy } from './support/latencyProxy.mjs';
import { machineLine } from './support/machine.mjs';
import { fixed, markdownTable, median, percentile } from './support/stats.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 15);
const RTT_MS = 20;
const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const USER_BY_ID = `SELECT id, email, name, created_at AS "createdAt", updated_at AS "updatedAt" FROM "public"."users" WHERE id = $1`;

// Each program reads one user by id, then prints, as JSON, when its imports were done and the
// answer came (ms since its own start), createDatabase()'s duration, and its peak RSS so far.
const report = `console.log(JSON.stringify({ imported, answered: performance.now(), createMs, maxRssKb: process.resourceUsage().maxRSS }));`;
const PROGRAMS = {
  'raw pg': `
    const pg = (await import('pg')).default;
    const imported = performance.now();
    const pool = new pg.Pool({ connectionString: process.env.URL, max: 10 });
    const createMs = undefined;
    await pool.query(${JSON.stringify(USER_BY_ID)}, [process.env.USER_ID]);
    ${report}
    await pool.end();`,
  'tododb service layer': `
    const { createDatabase } = await import('./dist/index.js');
    const imported = performance.now();
    const created = performance.now();
    const db = createDatabase({ url: process.env.URL }, {});
    const createMs = performance.now() - created;
    await db.users.get(process.env.USER_ID);
    ${report}
    await db.close();`,
  'tododb models (for contrast)': `
    const { createDatabase } = await import('./dist/index.js');
    const imported = performance.now();
    const created = performance.now();
    const db = createDatabase({ url: process.env.URL }, {});
    const createMs = performance.now() - created;
    await db.models.User.findByPk(process.env.USER_ID);
    ${report}
    await db.close();`,
};

/** Spawns one program; resolves with its report and the wall time from spawn to its answer. */
function runProgram(source, env) {
  return new Promise((resolve, reject) => {
    const spawned = performance.now();
    let answeredAt;
    let stdout = '';
    let stderr = '';
    const child = spawn(process.execPath, ['--input-type=module', '-e', source], { cwd: REPO_ROOT, env: { ...process.env, ...env } });
    child.stdout.on('data', (chunk) => {
      answeredAt ??= performance.now();
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`exit ${code}: ${stderr}`));
      else resolve({ wallMs: answeredAt - spawned, ...JSON.parse(stdout) });
    });
  });
}

/** Spawn → first answer, interleaved: each run starts every program once, in a turning order. */
async function coldStarts(url, userId) {
  const names = Object.keys(PROGRAMS);
  const samples = Object.fromEntries(names.map((name) => [name, []]));
  for (const name of names) await runProgram(PROGRAMS[name], { URL: url, USER_ID: userId }); // warm the file cache
  for (let run = 0; run < RUNS; run += 1) {
    for (const name of names.map((_, k) => names[(k + run) % names.length])) {
      samples[name].push(await runProgram(PROGRAMS[name], { URL: url, USER_ID: userId }));
    }
  }
  return samples;
}

/** createDatabase → first answer in this process, through a proxy RTT_MS away, interleaved with raw pg. */
async function firstAnswerFarAway(url, userId) {
  const target = new URL(url);
  const proxy = await startLatencyProxy({ host: target.hostname, port: Number(target.port || 5432), rttMs: RTT_MS });
  const far = new URL(url);
  far.hostname = '127.0.0.1';
  far.port = String(proxy.port);
  const contenders = {
    'raw pg': async () => {
      const started = performance.now();
      const pool = new pg.Pool({ connectionString: far.toString(), max: 10 });
      await pool.query(USER_BY_ID, [userId]);
      const ms = performance.now() - started;
      await pool.end();
      return ms;
    },
    'tododb service layer': async () => {
      const started = performance.now();
      const db = createDatabase({ url: far.toString() }, {});
      await db.users.get(userId);
      const ms = performance.now() - started;
      await db.close();
      return ms;
    },
  };
  const names = Object.keys(contenders);
  const samples = Object.fromEntries(names.map((name) => [name, []]));
  try {
    for (const name of names) await contenders[name](); // warm both paths once
    for (let run = 0; run < RUNS; run += 1) {
      for (const name of names.map((_, k) => names[(k + run) % names.length])) samples[name].push(await contenders[name]());
    }
  } finally {
    await proxy.close();
  }
  return samples;
}

console.log(`# tododb cold start vs raw pg\n\n${machineLine()} (at start)\n`);
const database = await createBenchDatabase('cold');
try {
  const setup = createDatabase({ url: database.url }, {});
  await createMigrator(setup).up();
  const { id: userId } = await setup.users.create({ email: 'cold@example.com' });
  await setup.close();

  const cold = await coldStarts(database.url, userId);
  const base = cold['raw pg'];
  const ratioOf = (values, of) => `${fixed(median(values.map(of)) / median(base.map(of)), 2)}×`;
  console.log(
    `## A new process to its first answer\n\n${RUNS} interleaved runs each; spawn → first answer measured by the parent (goal: service layer ≤ 1.2× raw pg, peak RSS ≤ 1.2×)\n`,
  );
  console.log(
    markdownTable(
      [
        'program',
        'first answer p50 ms',
        'p95 ms',
        '÷ raw pg (p50)',
        'imports done ms',
        'createDatabase() ms',
        'peak RSS MB',
        'RSS ÷ raw pg',
      ],
      Object.entries(cold).map(([name, runs]) => [
        name,
        fixed(median(runs.map((r) => r.wallMs)), 0),
        fixed(
          percentile(
            runs.map((r) => r.wallMs),
            95,
          ),
          0,
        ),
        ratioOf(runs, (r) => r.wallMs),
        fixed(median(runs.map((r) => r.imported)), 0),
        runs[0].createMs === undefined
          ? '—'
          : `${fixed(median(runs.map((r) => r.createMs)), 2)} (p95 ${fixed(
              percentile(
                runs.map((r) => r.createMs),
                95,
              ),
              2,
            )})`,
        fixed(median(runs.map((r) => r.maxRssKb / 1024)), 1),
        ratioOf(runs, (r) => r.maxRssKb),
      ]),
    ),
  );

  const far = await firstAnswerFarAway(database.url, userId);
  const p50 = (name) => median(far[name]);
  const p95 = (name) => percentile(far[name], 95);
  console.log(
    `\n## createDatabase → first answer at a ${RTT_MS} ms round trip\n\nin-process, a new handle (and connection) each run, ${RUNS} interleaved runs (goal: ≤ 1.1× raw pg, p95 too)\n`,
  );
  console.log(
    markdownTable(
      ['contender', 'p50 ms', 'p95 ms', 'p50 ÷ raw pg', 'p95 ÷ raw pg'],
      Object.keys(far).map((name) => [
        name,
        fixed(p50(name), 1),
        fixed(p95(name), 1),
        `${fixed(p50(name) / p50('raw pg'), 2)}×`,
        `${fixed(p95(name) / p95('raw pg'), 2)}×`,
      ]),
    ),
  );
  console.log(`\n${machineLine()} (at end)`);
} finally {
  await database.drop();
}
