// Read replicas: are reads ever stale, how many reads do replicas take off the primary, what the
// read-heavy throughput is with one replica against the primary alone, and what a stopped or a
// silent replica costs. Prints figures; asserts nothing.
//
//   npm run bench:replicas
//   BENCH_CYCLES=1000 BENCH_APPLY_DELAY_MS=300 npm run bench:replicas
//
// Runs the built package (dist/), as users do, against a primary and a streaming replica it
// starts itself (tests/support/streamingReplica.mjs: PostgreSQL's server binaries, as the user
// postgres when run as root), with recovery_min_apply_delay so that a careless read is stale.
import { createServer } from 'node:net';
import { cpus, loadavg } from 'node:os';
import pg from 'pg';
import { checkHealth, createDatabase, createMigrator } from '../dist/index.js';
import { startStreamingReplica } from '../tests/support/streamingReplica.mjs';

const APPLY_DELAY_MS = Number(process.env.BENCH_APPLY_DELAY_MS ?? 300);
const CYCLES = Number(process.env.BENCH_CYCLES ?? 1000); // write-then-read cycles per user
const CYCLE_USERS = Number(process.env.BENCH_CYCLE_USERS ?? 4);
const MIX_OPS = Number(process.env.BENCH_MIX_OPS ?? 6000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 32);
const POOL = Number(process.env.BENCH_POOL ?? 10);
const DATABASE = 'tododb_bench_replicas';

const started = performance.now();
const cluster = await startStreamingReplica({ applyDelayMs: APPLY_DELAY_MS });
console.log(`primary + streaming replica started in ${Math.round(performance.now() - started)} ms (apply delay ${APPLY_DELAY_MS} ms)`);
const handles = [];
const open = (config = {}) => {
  const db = createDatabase(
    { url: cluster.url(DATABASE), replicaUrls: [cluster.url(DATABASE, cluster.replica)], pool: { max: POOL }, ...config },
    {},
  );
  handles.push(db);
  return db;
};

try {
  const admin = new pg.Client({ connectionString: cluster.primary.url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${DATABASE}`);
  await admin.end();
  const db = open();
  await createMigrator(db).up();
  // 200 users with 20 tasks each, written directly: no process holds a token for them.
  const seed = new pg.Client({ connectionString: cluster.url(DATABASE) });
  await seed.connect();
  const { rows } = await seed.query(
    `INSERT INTO users (id, email) SELECT gen_random_uuid(), 'seed' || i || '@example.com' FROM generate_series(1, 200) AS i RETURNING id`,
  );
  const seeded = rows.map((row) => row.id);
  await seed.query(
    `INSERT INTO tasks (id, user_id, title, created_at) SELECT gen_random_uuid(), u, 'task ' || i, now() - i * interval '1 second'
     FROM unnest($1::uuid[]) AS u, generate_series(1, 20) AS i`,
    [seeded],
  );
  await seed.query('ANALYZE');
  await waitForReplica(seed);
  await seed.end();

  // 1. Write-then-read cycles: every read must see the write before it.
  {
    const users = await Promise.all(Array.from({ length: CYCLE_USERS }, (_, i) => db.users.create({ email: `cycle${i}@example.com` })));
    const before = replicaReads(db);
    let stale = 0;
    const t0 = performance.now();
    await Promise.all(
      users.map(async (user) => {
        for (let i = 0; i < CYCLES; i += 1) {
          const task = await db.tasks.create(user.id, { title: `cycle ${i}` });
          const { items } = await db.tasks.list(user.id, { limit: 1 });
          if (items[0]?.id !== task.id) stale += 1;
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    console.log(
      `\nwrite-then-read, no pause: ${CYCLE_USERS} users × ${CYCLES} cycles: ${stale} stale reads; ` +
        `${replicaReads(db) - before} of ${CYCLE_USERS * CYCLES} reads on the replica; ${Math.round((CYCLE_USERS * CYCLES) / seconds)} cycles/s`,
    );

    // With a pause of 0 to 2× the apply delay between write and read: some reads find the
    // replica caught up (and go there), the others must go to the primary.
    const pausedUsers = await Promise.all(Array.from({ length: 50 }, (_, i) => db.users.create({ email: `paused${i}@example.com` })));
    const pausedBefore = replicaReads(db);
    let pausedStale = 0;
    const PAUSED = 20;
    await Promise.all(
      pausedUsers.map(async (user) => {
        for (let i = 0; i < PAUSED; i += 1) {
          const task = await db.tasks.create(user.id, { title: `paused ${i}` });
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 2 * APPLY_DELAY_MS));
          const { items } = await db.tasks.list(user.id, { limit: 1 });
          if (items[0]?.id !== task.id) pausedStale += 1;
        }
      }),
    );
    console.log(
      `write, pause 0–${2 * APPLY_DELAY_MS} ms, read: 50 users × ${PAUSED} cycles: ${pausedStale} stale reads; ` +
        `${replicaReads(db) - pausedBefore} of ${50 * PAUSED} reads on the replica`,
    );
  }

  // 2. Reads that follow no write of their user, from another process: all should go to the replica.
  {
    const reader = open();
    const READS = 2000;
    await runConcurrently(READS, CONCURRENCY, (i) =>
      i % 2 ? reader.users.get(seeded[i % seeded.length]) : reader.tasks.list(seeded[i % seeded.length], { limit: 20 }),
    );
    console.log(`\nreads following no write: ${replicaReads(reader)} of ${READS} on the replica (${pct(replicaReads(reader), READS)})`);
  }

  // 3. A read-heavy mix (9 reads : 1 write) with the replica, and on the primary alone.
  {
    const mix = async (handle) => {
      const op = (i) => {
        const user = seeded[(i * 7) % seeded.length];
        if (i % 10 === 0) return handle.tasks.create(user, { title: `mix ${i}` });
        return i % 2 ? handle.tasks.list(user, { limit: 20 }) : handle.users.get(user);
      };
      await runConcurrently(500, CONCURRENCY, op); // warm-up: connections opened, statements prepared
      const t0 = performance.now();
      await runConcurrently(MIX_OPS, CONCURRENCY, op);
      return MIX_OPS / ((performance.now() - t0) / 1000);
    };
    const results = [];
    for (let round = 0; round < 3; round += 1) {
      const alone = createDatabase({ url: cluster.url(DATABASE), pool: { max: POOL } }, {});
      handles.push(alone);
      const withReplica = open();
      results.push({
        alone: await mix(alone),
        replica: await mix(withReplica),
        share: replicaReads(withReplica) / ((MIX_OPS + 500) * 0.9),
      });
      await alone.close();
      await withReplica.close();
    }
    const median = (key) => results.map((r) => r[key]).sort((a, b) => a - b)[1];
    console.log(
      `\nread-heavy mix (90 % reads, ${CONCURRENCY} callers, pool ${POOL}), median of 3: primary alone ${Math.round(median('alone'))} ops/s, ` +
        `with one replica ${Math.round(median('replica'))} ops/s (×${(median('replica') / median('alone')).toFixed(2)}); ` +
        `${pct(median('share'), 1)} of reads on the replica`,
    );
  }

  // 4. The replica stopped: no read may fail.
  {
    const reader = open();
    await runConcurrently(200, 8, (i) => reader.users.get(seeded[i % seeded.length]));
    await cluster.replica.stop();
    const { failures, latencies } = await timed(1000, 8, (i) => reader.users.get(seeded[i % seeded.length]));
    const report = await checkHealth(reader);
    console.log(
      `\nreplica stopped: ${failures} failed of 1000 reads; latency p50 ${q(latencies, 0.5)} ms, max ${q(latencies, 1)} ms; ` +
        `health status ${report.status}, replica ${report.replicas?.[0]?.status}`,
    );
    await cluster.replica.start();
  }

  // 5. A silent replica (accepts, never answers), connect timeout 2 s.
  {
    const silent = createServer((socket) => socket.resume());
    await new Promise((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const reader = createDatabase(
      {
        url: cluster.url(DATABASE),
        replicaUrls: [`postgres://postgres@127.0.0.1:${silent.address().port}/${DATABASE}`],
        pool: { max: POOL },
        connectTimeoutMs: 2000,
      },
      {},
    );
    handles.push(reader);
    const { failures, latencies } = await timed(1000, 8, (i) => reader.users.get(seeded[i % seeded.length]));
    const waited = latencies.filter((ms) => ms > 1000).length;
    console.log(
      `silent replica (connect timeout 2000 ms): ${failures} failed of 1000 reads; ${waited} waited over 1 s; ` +
        `latency p50 ${q(latencies, 0.5)} ms, p99 ${q(latencies, 0.99)} ms, max ${q(latencies, 1)} ms`,
    );
    await reader.close();
    silent.close();
  }
  console.log(
    `\n${cpus().length} cores, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
} finally {
  for (const handle of handles) await handle.close().catch(() => {});
  await cluster.stop();
}

function replicaReads(db) {
  return db.stats().replicas?.[0]?.reads ?? 0;
}

function pct(part, whole) {
  return `${((100 * part) / whole).toFixed(1)} %`;
}

function q(sorted, fraction) {
  return sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))]?.toFixed(1);
}

async function runConcurrently(total, concurrency, op) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await op(next++);
    }),
  );
}

async function timed(total, concurrency, op) {
  const latencies = [];
  let failures = 0;
  await runConcurrently(total, concurrency, async (i) => {
    const t0 = performance.now();
    try {
      await op(i);
    } catch {
      failures += 1;
    }
    latencies.push(performance.now() - t0);
  });
  latencies.sort((a, b) => a - b);
  return { failures, latencies };
}

async function waitForReplica(primary) {
  const { rows } = await primary.query('SELECT pg_current_wal_lsn()::text AS lsn');
  const replica = new pg.Client({ connectionString: cluster.url(DATABASE, cluster.replica) });
  await replica.connect();
  try {
    for (;;) {
      const { rows: done } = await replica.query('SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS done', [rows[0].lsn]);
      if (done[0].done) return;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  } finally {
    await replica.end();
  }
}
