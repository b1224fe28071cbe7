// `tododb migrate up` on an empty database, as a user runs it: `node dist/cli.js migrate up`,
// wall time from spawn to exit, each run on a database of its own; beside it, for scale, a node
// process that does nothing. Prints a markdown table; asserts nothing.
//
//   npm run bench:migrate                        # against the local server
//   BENCH_DATABASE_URL=postgres://… BENCH_RUNS=10 npm run bench:migrate
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createBenchDatabase } from './support/benchDatabase.mjs';
import { machineLine } from './support/machine.mjs';
import { fixed, markdownTable, median, percentile } from './support/stats.mjs';

const RUNS = Number(process.env.BENCH_RUNS ?? 10);
const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));

/** Runs node with `args` (no .env is read: the environment carries no DATABASE_*); resolves with its wall time in ms. */
function timeNode(args) {
  return new Promise((resolve, reject) => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('DATABASE_')));
    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(performance.now() - started) : reject(new Error(`node ${args.join(' ')}: exit ${code}: ${stderr}`)),
    );
  });
}

console.log(`# tododb migrate up on an empty database\n\n${machineLine()} (at start)\n`);
const samples = { migrate: [], bare: [] };
await timeNode(['-e', '']); // warm the file cache
for (let run = 0; run < RUNS; run += 1) {
  const database = await createBenchDatabase(`migrate${run}`);
  try {
    samples.migrate.push(await timeNode([CLI, 'migrate', 'up', '--url', database.url]));
  } finally {
    await database.drop();
  }
  samples.bare.push(await timeNode(['-e', '']));
}
console.log(`${RUNS} runs, each on a new empty database; wall time from spawn to exit (goal: migrate up ≤ 500 ms)\n`);
console.log(
  markdownTable(
    ['command', 'p50 ms', 'p95 ms', 'max ms'],
    [
      [
        'node dist/cli.js migrate up',
        fixed(median(samples.migrate), 0),
        fixed(percentile(samples.migrate, 95), 0),
        fixed(Math.max(...samples.migrate), 0),
      ],
      [
        "node -e '' (a process that does nothing)",
        fixed(median(samples.bare), 0),
        fixed(percentile(samples.bare, 95), 0),
        fixed(Math.max(...samples.bare), 0),
      ],
    ],
  ),
);
console.log(`\n${machineLine()} (at end)`);
