import pg from 'pg';

/** The server the benchmarks use: BENCH_DATABASE_URL, else the local PostgreSQL. */
export const SERVER_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/**
 * Creates an empty database of the benchmark's own on the server, named after `label` and this
 * process (so two benchmarks on one server never share one), and returns its URL and `drop()`.
 */
export async function createBenchDatabase(label) {
  const name = `tododb_bench_${label}_${process.pid}`;
  await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    drop: () => adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function adminQuery(sql) {
  const client = new pg.Client({ connectionString: SERVER_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/**
 * Fills a migrated database with 100 users of 50 tasks each (a page of 20 is then a real index
 * scan) through `db`'s service layer and one bulk INSERT on `url`; returns the users' ids.
 */
export async function seedUsersAndTasks(db, url) {
  const users = [];
  for (let i = 0; i < 100; i += 1) users.push((await db.users.create({ email: `bench${i}@example.com` })).id);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(
      `INSERT INTO tasks (id, user_id, title, created_at) SELECT gen_random_uuid(), u, 'task ' || i, now() - i * interval '1 second'
       FROM unnest($1::uuid[]) AS u, generate_series(1, 50) AS i`,
      [users],
    );
    await client.query('ANALYZE');
  } finally {
    await client.end();
  }
  return users;
}
