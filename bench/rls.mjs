// What row-level security costs per tasks.get: the same call without it and with it, at 1 and
// 16 concurrent callers. Prints a table and the machine's load average; asserts nothing.
//
//   npm run bench:rls          # against BENCH_DATABASE_URL (a superuser URL), else the local server
//   BENCH_ROUNDS=9 npm run bench:rls
//
// Three cases, each logged in as a role of its own with the same DML grants:
//   - no RLS:         a role with BYPASSRLS, rowLevelSecurity off: one statement, the policy skipped.
//   - RLS:            the application role (NOBYPASSRLS, not the owner, made by grantApplicationRole),
//                     rowLevelSecurity on: BEGIN, set_config, the statement and COMMIT, pipelined
//                     in one round trip, and the policy evaluated.
//   - RLS, no policy: the BYPASSRLS role with rowLevelSecurity on: the same four statements with
//                     the policy skipped, which splits the cost into the transaction and the policy.
// Runs the built package (dist/), as users do. It creates (and afterwards drops) a database and
// roles of its own, named after this process, on that server.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { compareCases } from './support/stats.mjs';
import { createDatabase, createMigrator, grantApplicationRole } from '../dist/index.js';

const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const POOL = Number(process.env.BENCH_POOL ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const OPS = { 1: Number(process.env.BENCH_OPS_SERIAL ?? 1000), 16: Number(process.env.BENCH_OPS_PARALLEL ?? 4000) };
// Names of its own, so that two engineers (or two benchmarks) on one server do not drop each other's.
const DATABASE = `tododb_bench_rls_${process.pid}`;
const ROLES = { app: `${DATABASE}_app`, bypass: `${DATABASE}_bypass` };
const PASSWORD = randomBytes(12).toString('hex');

const admin = new pg.Client({ connectionString: serverUrl });
await admin.connect();
const urlAs = (role) => {
  const url = new URL(serverUrl);
  url.pathname = `/${DATABASE}`;
  if (role !== undefined) {
    url.username = role;
    url.password = PASSWORD;
  }
  return url.toString();
};
const handles = [];
const open = (role, rowLevelSecurity) => {
  const db = createDatabase({ url: urlAs(role), pool: { max: POOL }, rowLevelSecurity }, {});
  handles.push(db);
  return db;
};

async function dropAll() {
  await Promise.all(handles.map((db) => db.close()));
  await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  for (const role of Object.values(ROLES)) await admin.query(`DROP ROLE IF EXISTS ${role}`);
}

try {
  await dropAll();
  await admin.query(`CREATE DATABASE ${DATABASE}`);
  await admin.query(`CREATE ROLE ${ROLES.app} LOGIN NOSUPERUSER NOBYPASSRLS PASSWORD '${PASSWORD}'`);
  await admin.query(`CREATE ROLE ${ROLES.bypass} LOGIN NOSUPERUSER BYPASSRLS PASSWORD '${PASSWORD}'`);

  const owner = open(undefined, false);
  await createMigrator(owner).up();
  await grantApplicationRole(owner, ROLES.app);
  // grantApplicationRole refuses a BYPASSRLS role, rightly: this one is the benchmark's baseline.
  await owner.sequelize.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON users, tasks TO ${ROLES.bypass}`);

  // 100 users with 50 tasks each, as in bench:transaction.
  const users = [];
  for (let i = 0; i < 100; i += 1) users.push((await owner.users.create({ email: `bench${i}@example.com` })).id);
  const seed = new pg.Client({ connectionString: urlAs() });
  await seed.connect();
  const { rows } = await seed.query(
    `INSERT INTO tasks (id, user_id, title, created_at) SELECT gen_random_uuid(), u, 'task ' || i, now() - i * interval '1 second'
     FROM unnest($1::uuid[]) AS u, generate_series(1, 50) AS i RETURNING id, user_id`,
    [users],
  );
  await seed.query('ANALYZE');
  await seed.end();
  const tasks = rows.map((row) => [row.user_id, row.id]);
  const taskOf = (i) => tasks[(i * 7919) % tasks.length];

  const dbs = { 'no RLS': open(ROLES.bypass, false), RLS: open(ROLES.app, true), 'RLS, no policy': open(ROLES.bypass, true) };
  const cases = Object.fromEntries(
    Object.entries(dbs).map(([name, db]) => [
      name,
      async (i) => {
        const [userId, taskId] = taskOf(i);
        const task = await db.tasks.get(userId, taskId);
        if (task.id !== taskId) throw new Error(`${name}: tasks.get returned another task`);
      },
    ]),
  );

  console.log(`tasks.get without and with row-level security, each case logged in as a role of its own`);
  await compareCases({ cases, baseline: 'no RLS', rounds: ROUNDS, ops: OPS, warmOps: 500, pool: POOL });
} finally {
  await dropAll();
  await admin.end();
}
