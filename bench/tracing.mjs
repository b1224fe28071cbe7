// What tracing costs on the hot path: tasks.get and tasks.list (a page of 20) at 1 and at 16
// concurrent callers, in three set-ups, each in a process of its own (whether
// @opentelemetry/api can be loaded is decided once per process):
//
//   no @opentelemetry/api   the package cannot be resolved (as in an application without it)
//   api, no provider        the API is loaded, no tracer provider is registered
//   provider, no-op export  a BasicTracerProvider with a BatchSpanProcessor whose exporter drops
//                           the spans, and the AsyncLocalStorage context manager: every call
//                           makes, ends and batches a real span
//
// Rounds alternate the set-ups (rotating which goes first). Per call and set-up it prints the wall
// time per operation and the client process's CPU time per operation (steadier on a busy
// machine: it leaves out the server and the waits), medians over the rounds, and their ratios
// to the set-up without the API.
//
//   npm run bench:tracing             # against BENCH_DATABASE_URL, else the local server
//   BENCH_ROUNDS=9 npm run bench:tracing
//
// Runs the built package (dist/), as users do. It creates (and afterwards drops) a database of
// its own, named after this process, on that server. Prints a table; asserts nothing.
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { seedUsersAndTasks } from './support/benchDatabase.mjs';

const SETUPS = ['no @opentelemetry/api', 'api, no provider', 'provider, no-op export'];
const CALLS = ['tasks.get', 'tasks.list'];
const CONCURRENCY = [1, 16];

if (process.argv[2] === '--child') await child(process.argv[3], process.argv[4]);
else await parent();

async function parent() {
  const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
  // Its own name, so that two engineers (or two benchmarks) on one server do not drop each other's.
  const database = `tododb_bench_tracing_${process.pid}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${database}`);
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  try {
    await seed(url.toString());
    const load = () =>
      loadavg()
        .map((value) => value.toFixed(2))
        .join(' ');
    const loadBefore = load();
    const results = new Map(); // `${setup} ${call} ${concurrency}` → { wall, cpu } per round
    for (let round = 0; round < rounds; round += 1) {
      const order = SETUPS.map((_, k) => SETUPS[(k + round) % SETUPS.length]);
      for (const setup of order) {
        const figures = runChild(setup, url.toString());
        for (const [key, perOp] of Object.entries(figures)) {
          const name = `${setup} ${key}`;
          if (!results.has(name)) results.set(name, []);
          results.get(name).push(perOp);
        }
      }
    }
    const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
    console.log(`Tracing on the hot path: tododb's service calls with and without OpenTelemetry`);
    console.log(`${rounds} rounds, each set-up in a new process per round; wall = µs/op of a round (wall time ÷ operations),`);
    console.log(`cpu = this process's CPU µs per operation (the client side only); medians of the rounds, min–max of wall;`);
    console.log(`ratios ÷ "${SETUPS[0]}". ${cpus().length} CPUs, load average before: ${loadBefore}`);
    const columns = ['wall', 'min', 'max', 'ratio', 'cpu', 'ratio'];
    console.log(
      `${'set-up'.padEnd(24)} ${'call'.padEnd(11)} ${'callers'.padStart(7)} ${columns.map((column) => column.padStart(7)).join(' ')}`,
    );
    for (const concurrency of CONCURRENCY) {
      for (const call of CALLS) {
        const base = results.get(`${SETUPS[0]} ${call} ${concurrency}`);
        const baseWall = median(base.map((r) => r.wall));
        const baseCpu = median(base.map((r) => r.cpu));
        for (const setup of SETUPS) {
          const rows = results.get(`${setup} ${call} ${concurrency}`);
          const walls = rows.map((r) => r.wall);
          const wall = median(walls);
          const cpu = median(rows.map((r) => r.cpu));
          const cells = [wall, Math.min(...walls), Math.max(...walls)].map((value) => value.toFixed(1).padStart(7));
          cells.push(
            `${(wall / baseWall).toFixed(2)}x`.padStart(7),
            cpu.toFixed(1).padStart(7),
            `${(cpu / baseCpu).toFixed(2)}x`.padStart(7),
          );
          console.log(`${setup.padEnd(24)} ${call.padEnd(11)} ${String(concurrency).padStart(7)} ${cells.join(' ')}`);
        }
      }
    }
    console.log(`load average after: ${load()}`);
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.end();
  }
}

/** 100 users with 50 tasks each: a page of 20 is a real index scan. */
async function seed(url) {
  const { createDatabase, createMigrator } = await import('../dist/index.js');
  const db = createDatabase({ url }, {});
  try {
    await createMigrator(db).up();
    await seedUsersAndTasks(db, url);
  } finally {
    await db.close();
  }
}

function runChild(setup, url) {
  const script = fileURLToPath(import.meta.url);
  const hide = fileURLToPath(new URL('./withoutOpenTelemetry.cjs', import.meta.url));
  const args = [...(setup === SETUPS[0] ? ['--require', hide] : []), script, '--child', setup, url];
  const run = spawnSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (run.status !== 0) throw new Error(`the "${setup}" process failed with exit code ${run.status}`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1));
}

/** One set-up: measures each call at each concurrency and prints { "call callers": µs/op } as JSON. */
async function child(setup, url) {
  if (setup === SETUPS[2]) {
    const { context, trace } = await import('@opentelemetry/api');
    const { AsyncLocalStorageContextManager } = await import('@opentelemetry/context-async-hooks');
    const { BasicTracerProvider, BatchSpanProcessor } = await import('@opentelemetry/sdk-trace-base');
    const dropAll = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {} };
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(dropAll)] }));
  } else if (setup === SETUPS[1]) {
    await import('@opentelemetry/api');
  }
  const { createDatabase } = await import('../dist/index.js');
  const db = createDatabase({ url, pool: { max: 10 } }, {});
  const tasks = (await new pg.Pool({ connectionString: url, max: 1 }).query('SELECT id, user_id FROM tasks')).rows;
  const anyTask = (i) => tasks[(i * 7919) % tasks.length];
  const calls = {
    'tasks.get': (i) => db.tasks.get(anyTask(i).user_id, anyTask(i).id),
    'tasks.list': (i) => db.tasks.list(anyTask(i).user_id, { limit: 20 }),
  };
  const ops = { 1: Number(process.env.BENCH_OPS_SERIAL ?? 600), 16: Number(process.env.BENCH_OPS_PARALLEL ?? 2000) };
  // Wall time per operation, and this process's CPU time per operation: the client-side cost,
  // which the machine's load and the server's share of the round trip disturb far less.
  const measure = async (run, count, concurrency) => {
    let next = 0;
    const started = performance.now();
    const cpu = process.cpuUsage();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < count) await run(next++);
      }),
    );
    const used = process.cpuUsage(cpu);
    return { wall: ((performance.now() - started) * 1000) / count, cpu: (used.user + used.system) / count };
  };
  const figures = {};
  try {
    for (const concurrency of CONCURRENCY) {
      for (const call of CALLS) {
        await measure(calls[call], 200, concurrency); // warm the path, the pool and the JIT
        figures[`${call} ${concurrency}`] = await measure(calls[call], ops[concurrency], concurrency);
      }
    }
  } finally {
    await db.close();
  }
  console.log(JSON.stringify(figures));
  process.exit(0); // the span processor's timer and the seed pool's idle client would keep it alive
}
