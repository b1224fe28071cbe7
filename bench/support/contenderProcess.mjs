// One contender of the hot-path benchmark in a process of its own, driven by the benchmark over
// IPC: in one process the contenders would share pg's code, and with it V8's compiled code and
// its record of which objects live long, so that one contender's garbage and timing would sway
// the next one's. The processes take turns: only one runs at a time.
import { fork } from 'node:child_process';
import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createDatabase } from '../../dist/index.js';
import { hotPaths, measure, pgApi, tododbApi } from './contenders.mjs';

const CHILD = fileURLToPath(import.meta.url);

/**
 * Starts the contender `name` ('pg', 'pg named' or 'tododb') in a new process, with a pool of
 * `pool` connections to `url` (`pgbouncer`: the URL is a PgBouncer's). `data` holds the seeded
 * `users` and `tasks`. Resolves to `{ run(path, concurrency, ops, spares), cost(calls), close() }`.
 */
export async function forkContender(name, { url, pool, pgbouncer = false, data }) {
  const child = fork(CHILD, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  let nextId = 0;
  const pending = new Map();
  child.on('message', ({ id, result, error }) => {
    const call = pending.get(id);
    pending.delete(id);
    if (error) call?.reject(new Error(`${name}: ${error}`));
    else call?.resolve(result);
  });
  child.once('exit', (code) => {
    for (const call of pending.values()) call.reject(new Error(`${name}: the contender's process exited with ${code}`));
    pending.clear();
  });
  const ask = (message) =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      child.send({ id, ...message });
    });
  await ask({ type: 'open', name, url, pool, pgbouncer, data: { users: data.users, tasks: data.tasks } });
  return {
    /** Calls per second of `ops` calls of hot path `path` at `concurrency` callers. */
    run: (path, concurrency, ops, spares = []) => ask({ type: 'run', path, concurrency, ops, spares }),
    /** Process CPU per call and GC share of the wall time over `calls` list calls at 32 callers. */
    cost: (calls) => ask({ type: 'cost', calls }),
    close: async () => {
      await ask({ type: 'close' }).catch(() => {});
      child.disconnect();
    },
  };
}

// The child: opens its pool or handle, then answers the benchmark's requests one at a time.
if (process.argv[1] === CHILD && process.send) {
  let pool;
  let db;
  let api;
  let paths;
  const handlers = {
    open({ name, url, pool: max, pgbouncer, data }) {
      if (name === 'tododb') {
        db = createDatabase({ url, pool: { max }, ...(pgbouncer ? { pgbouncer: true } : {}) }, {});
        api = tododbApi(db);
      } else {
        pool = new pg.Pool({ connectionString: url, max });
        pool.on('error', () => {}); // idle clients are terminated when the database is dropped
        api = pgApi(pool, name === 'pg named');
      }
      paths = hotPaths(data);
    },
    run({ path, concurrency, ops, spares }) {
      return measure((i, s) => paths[path].run(api, i, s), ops, concurrency, spares);
    },
    async cost({ calls }) {
      const list = (i) => paths['list 50'].run(api, i);
      await measure(list, calls / 4, 32, []);
      const pauses = [];
      const observer = new PerformanceObserver((entries) => pauses.push(...entries.getEntries()));
      observer.observe({ entryTypes: ['gc'] });
      const cpuBefore = process.cpuUsage();
      const started = performance.now();
      await measure(list, calls, 32, []);
      const ended = performance.now();
      const cpu = process.cpuUsage(cpuBefore);
      await new Promise((resolve) => setImmediate(resolve)); // let the last GC entries arrive
      pauses.push(...observer.takeRecords());
      observer.disconnect();
      const gcMs = pauses
        .filter((entry) => entry.startTime >= started && entry.startTime < ended)
        .reduce((sum, entry) => sum + entry.duration, 0);
      return { cpuUs: (cpu.user + cpu.system) / calls, gcShare: gcMs / (ended - started) };
    },
    async close() {
      await db?.close();
      await pool?.end();
    },
  };
  process.on('message', async ({ id, type, ...message }) => {
    try {
      process.send({ id, result: await handlers[type](message) });
    } catch (error) {
      process.send({ id, error: error instanceof Error ? error.stack : String(error) });
    }
  });
}
