// Read replicas against a real primary and a real streaming replica, started by this file with
// `recovery_min_apply_delay` so that a careless read from the replica is stale every time.
// Run with `npm run test:replicas` (needs PostgreSQL's server binaries; see streamingReplica.mjs).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkHealth,
  createDatabase,
  createMigrator,
  NotFoundError,
  ValidationError,
  type Database,
  type DatabaseConfig,
} from '../src/index.js';
import { buildApp } from '../examples/http-server/app.js';
import { useSilentServer } from './support/silentServer.js';
import { startStreamingReplica, type StreamingReplica } from './support/streamingReplica.mjs';

const APPLY_DELAY_MS = 800;
const DATABASE = 'tododb_replicas';
const PASSWORD = 'pw_MARKER_replica_91c';

let cluster: StreamingReplica;
let primaryUrl: string;
let replicaUrl: string;
let replicaAdmin: pg.Client;
let primaryAdmin: pg.Client;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  cluster = await startStreamingReplica({ applyDelayMs: APPLY_DELAY_MS });
  primaryAdmin = await connected(cluster.primary.url);
  await primaryAdmin.query(`CREATE DATABASE ${DATABASE}`);
  primaryUrl = cluster.url(DATABASE);
  // Trust authentication ignores the password; it is there to prove it never shows.
  replicaUrl = cluster.url(DATABASE, cluster.replica).replace('postgres@', `postgres:${PASSWORD}@`);
  const migrating = createDatabase({ url: primaryUrl }, {});
  await createMigrator(migrating).up();
  await migrating.close();
  await caughtUp();
  replicaAdmin = await connected(cluster.url(DATABASE, cluster.replica));
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  await replicaAdmin?.end().catch(() => {});
  await primaryAdmin?.end().catch(() => {});
  await cluster?.stop();
});

async function connected(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {}); // the replica is stopped by one test
  await client.connect();
  return client;
}

function open(config: DatabaseConfig = {}): Database {
  const db = createDatabase({ url: primaryUrl, replicaUrls: [replicaUrl], pool: { max: 4 }, ...config }, {});
  cleanups.push(() => db.close());
  return db;
}

/** Resolves once the replica has replayed everything the primary has written so far. */
async function caughtUp(): Promise<void> {
  const { rows } = await primaryAdmin.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
  const target = rows[0]!.lsn;
  const replica = await connected(cluster.url('postgres', cluster.replica));
  try {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const { rows: replayed } = await replica.query<{ done: boolean }>('SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS done', [target]);
      if (replayed[0]!.done) return;
      if (Date.now() > deadline) throw new Error('the replica did not catch up within 30 s');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  } finally {
    await replica.end();
  }
}

const replicaReads = (db: Database): number => db.stats().replicas![0]!.reads;

async function newUser(db: Database): Promise<string> {
  return (await db.users.create({ email: `u${Math.random().toString(36).slice(2)}@example.com` })).id;
}

describe('the test cluster', () => {
  it('holds commits back on the replica: a read that ignores replication is stale', async () => {
    const db = open();
    let stale = 0;
    for (let attempt = 0; attempt < 5 && stale === 0; attempt += 1) {
      const user = await newUser(db);
      const { rows } = await replicaAdmin.query('SELECT 1 FROM users WHERE id = $1', [user]);
      if (rows.length === 0) stale += 1;
    }
    expect(stale).toBeGreaterThan(0);
  });

  it('passes the WAL position taken inside a write (before its commit) while the commit is still held back', async () => {
    // Why tododb takes the token after the commit: the replica replays the row's record at once
    // and holds only the commit record back, so a position from RETURNING is passed too early.
    const primary = await connected(primaryUrl);
    const replica = await connected(cluster.url(DATABASE, cluster.replica));
    try {
      let stale = 0;
      for (let attempt = 0; attempt < 5 && stale === 0; attempt += 1) {
        const { rows } = await primary.query<{ id: string; lsn: string }>(
          `INSERT INTO users (id, email) VALUES (gen_random_uuid(), $1) RETURNING id, pg_current_wal_lsn()::text AS lsn`,
          [`early${attempt}-${Date.now()}@example.com`],
        );
        const { id, lsn } = rows[0]!;
        for (;;) {
          const { rows: passed } = await replica.query<{ done: boolean }>('SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS done', [lsn]);
          if (passed[0]!.done) break;
        }
        const { rowCount } = await replica.query('SELECT 1 FROM users WHERE id = $1', [id]);
        if (rowCount === 0) stale += 1;
      }
      expect(stale).toBeGreaterThan(0);
    } finally {
      await primary.end();
      await replica.end();
    }
  });
});

describe('read-your-writes', () => {
  it('has no stale read in many write-then-read cycles per user', async () => {
    const db = open();
    const users = await Promise.all(Array.from({ length: 4 }, () => newUser(db)));
    const CYCLES = 40;
    let stale = 0;
    let reads = 0;
    await Promise.all(
      users.map(async (user) => {
        // Each read follows that user's write, with the replica 800 ms behind.
        const fresh = await db.users.get(user).catch(() => undefined);
        reads += 1;
        if (!fresh) stale += 1;
        for (let i = 0; i < CYCLES; i += 1) {
          const task = await db.tasks.create(user, { title: `t${i}` });
          const page = await db.tasks.list(user, { limit: 1 });
          const got = await db.tasks.get(user, task.id).catch(() => undefined);
          const updated = await db.tasks.update(user, task.id, { title: `t${i} done`, isCompleted: true });
          const again = await db.tasks.get(user, task.id);
          await db.tasks.delete(user, task.id);
          const gone = await db.tasks.get(user, task.id).then(
            () => false,
            (error: unknown) => error instanceof NotFoundError,
          );
          reads += 4;
          if (page.items[0]?.id !== task.id) stale += 1;
          if (got?.id !== task.id) stale += 1;
          if (again.title !== updated.title || !again.isCompleted) stale += 1;
          if (!gone) stale += 1;
        }
      }),
    );
    expect(reads).toBe(4 * (1 + 4 * CYCLES));
    expect(stale).toBe(0);
  });

  it('sends a read that follows no write of that user to the replica, never to the primary', async () => {
    const writer = open();
    const users = await Promise.all(Array.from({ length: 3 }, () => newUser(writer)));
    for (const user of users) await writer.tasks.create(user, { title: 'seen on the replica' });
    await caughtUp();
    // Another process: it holds no token for these users.
    const reader = open({ applicationName: 'tododb_reader' });
    for (let i = 0; i < 10; i += 1) {
      for (const user of users) {
        expect((await reader.users.get(user)).id).toBe(user);
        expect((await reader.tasks.list(user)).items).toHaveLength(1);
      }
    }
    expect(replicaReads(reader)).toBe(60);
    expect(reader.stats()).toMatchObject({ inUse: 0, idle: 0 }); // the primary's pool never opened
    const backends = async (client: pg.Client) =>
      (await client.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'tododb_reader'`)).rows[0].n as number;
    expect(await backends(replicaAdmin)).toBeGreaterThan(0);
    expect(await backends(primaryAdmin)).toBe(0);
  });

  it('sends a read to the replica once it has replayed the write, and the read sees it', async () => {
    const db = open();
    const user = await newUser(db);
    const task = await db.tasks.create(user, { title: 'replayed' });
    await caughtUp();
    const before = replicaReads(db);
    expect((await db.tasks.get(user, task.id)).title).toBe('replayed');
    expect(replicaReads(db)).toBe(before + 1);
  });

  it("waits for the commit of a transaction that wrote the user's rows", async () => {
    const db = open();
    const user = await newUser(db);
    await caughtUp(); // the user's own token is passed: only the transaction's can hold the read back
    const task = await db.transaction((tx) => tx.tasks.create(user, { title: 'in a transaction' }));
    expect((await db.tasks.list(user)).items.map((t) => t.id)).toEqual([task.id]);
  });

  it('keeps model calls on the primary', async () => {
    const db = open();
    const user = await newUser(db);
    await caughtUp();
    const before = replicaReads(db);
    await db.models.Task.create({ userId: user, title: 'by a model' });
    expect(await db.models.Task.count({ where: { userId: user } })).toBe(1);
    expect(replicaReads(db)).toBe(before);
  });
});

describe('across processes', () => {
  it("carries a user's writes to another process with a token", async () => {
    const writer = open();
    const user = await newUser(writer);
    await caughtUp();
    const reader = open();
    // Without the token the other process reads from the replica, which has not seen the task yet.
    let stale = 0;
    let token: string | undefined;
    for (let attempt = 0; attempt < 5 && stale === 0; attempt += 1) {
      await writer.tasks.create(user, { title: `attempt ${attempt}` });
      token = writer.readYourWrites.tokenFor(user);
      const { items } = await reader.tasks.list(user, { limit: 100 });
      if (items.length < attempt + 1) stale += 1;
      // With it, the same read sees every task.
      reader.readYourWrites.observe(user, token!);
      expect((await reader.tasks.list(user, { limit: 100 })).items).toHaveLength(attempt + 1);
    }
    expect(stale).toBeGreaterThan(0);
    expect(token).toMatch(/^v1\.[0-9a-f]{16}$/);
  });

  it('refuses a token that is not one, without printing it', () => {
    const db = open();
    const user = '0190a4b2-1c2d-7e3f-8a4b-5c6d7e8f9a0b';
    const error = (() => {
      try {
        db.readYourWrites.observe(user, 'v1.zz<script>secret');
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).fields).toEqual(['token']);
    expect((error as Error).message).not.toContain('secret');
  });

  it('has no token for a user this process has not seen write', async () => {
    const db = open();
    expect(db.readYourWrites.tokenFor('0190a4b2-1c2d-7e3f-8a4b-5c6d7e8f9a0b')).toBeUndefined();
  });
});

describe('the example server', () => {
  async function instance() {
    const app = buildApp({ env: {}, database: { url: primaryUrl, replicaUrls: [replicaUrl] } });
    cleanups.push(() => app.close());
    await app.ready();
    await app.migrations.settled;
    return app;
  }

  it('returns Tododb-Consistency-Token after a write, and another instance that gets it back reads the write', async () => {
    const [writer, reader] = [await instance(), await instance()];
    const created = await writer.inject({ method: 'POST', url: '/api/users', payload: { email: `http${Date.now()}@example.com` } });
    expect(created.statusCode).toBe(201);
    expect(created.headers['tododb-consistency-token']).toMatch(/^v1\.[0-9a-f]{16}$/);
    const userId = created.json().id as string;
    await caughtUp();
    let stale = 0;
    for (let attempt = 0; attempt < 5 && stale === 0; attempt += 1) {
      const task = await writer.inject({ method: 'POST', url: `/api/users/${userId}/tasks`, payload: { title: `t${attempt}` } });
      expect(task.statusCode).toBe(201);
      const token = task.headers['tododb-consistency-token'] as string;
      expect(token).toMatch(/^v1\.[0-9a-f]{16}$/);
      const path = `/api/users/${userId}/tasks/${task.json().id}`;
      if ((await reader.inject({ method: 'GET', url: path })).statusCode === 404) stale += 1;
      const withToken = await reader.inject({ method: 'GET', url: path, headers: { 'tododb-consistency-token': token } });
      expect(withToken.statusCode).toBe(200);
    }
    expect(stale).toBeGreaterThan(0); // without the header the other instance read the replica
    const bad = await reader.inject({
      method: 'GET',
      url: `/api/users/${userId}`,
      headers: { 'tododb-consistency-token': 'v1.secret-value' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).not.toContain('secret-value');
  });
});

describe('health', () => {
  it('reports each replica with its lag, naming no host', async () => {
    const db = open();
    const report = await checkHealth(db);
    expect(report.status).toBe('ok');
    expect(report.replicas).toHaveLength(1);
    expect(report.replicas![0]).toMatchObject({ status: 'ok', lagMs: expect.any(Number) });
    const json = JSON.stringify(report);
    for (const secret of [PASSWORD, '127.0.0.1', `:${cluster.replica.port}`, replicaUrl]) expect(json).not.toContain(secret);
  });
});

describe('a silent replica', () => {
  const silent = useSilentServer();

  it('costs one connect timeout, once: every read meanwhile and afterwards goes to the primary', async () => {
    const db = createDatabase(
      { url: primaryUrl, replicaUrls: [`postgres://postgres:${PASSWORD}@127.0.0.1:${silent.port}/${DATABASE}`], connectTimeoutMs: 3_000 },
      {},
    );
    cleanups.push(() => db.close());
    const user = await newUser(db);
    // No token for this user in a second handle: each of its reads would go to the replica.
    const reader = createDatabase(
      { url: primaryUrl, replicaUrls: [`postgres://postgres@127.0.0.1:${silent.port}/${DATABASE}`], connectTimeoutMs: 3_000 },
      {},
    );
    cleanups.push(() => reader.close());
    const finished: number[] = [];
    const reads = Array.from({ length: 8 }, (_, i) =>
      reader.users.get(user).then((found) => {
        finished.push(i);
        return found;
      }),
    );
    for (const found of await Promise.all(reads)) expect(found.id).toBe(user);
    expect(silent.accepted).toBe(1); // one probe; the others did not wait for it
    expect(finished.at(-1)).toBe(0); // the probe, the first read, is the one that waited
    expect(reader.stats().replicas![0]!.breaker).toBe('open');
    let whileOpen = 0;
    while (reader.stats().replicas![0]!.breaker === 'open' && whileOpen < 20) {
      expect((await reader.users.get(user)).id).toBe(user);
      whileOpen += 1;
    }
    expect(silent.accepted).toBe(1);
    const report = await checkHealth(db, { timeoutMs: 500 });
    expect(report.status).toBe('ok');
    expect(report.replicas).toEqual([{ status: 'error', reason: 'no answer within 500 ms' }]);
    expect(JSON.stringify(report)).not.toContain(PASSWORD);
  });
});

// Last: it stops the replica (and starts it again).
describe('a stopped replica', () => {
  it('fails no read, reports the replica in error with status ok, and is used again once back', async () => {
    const db = open();
    const user = await newUser(db);
    await db.tasks.create(user, { title: 'still here' });
    await caughtUp();
    const reader = open();
    expect((await reader.tasks.list(user)).items).toHaveLength(1);
    expect(replicaReads(reader)).toBe(1); // an open connection to the replica, about to break

    await cluster.replica.stop();
    for (let i = 0; i < 20; i += 1) {
      expect((await reader.tasks.list(user)).items).toHaveLength(1);
      expect((await reader.users.get(user)).id).toBe(user);
    }
    expect(replicaReads(reader)).toBe(1);
    const report = await checkHealth(reader);
    expect(report.status).toBe('ok');
    expect(report.replicas![0]!.status).toBe('error');
    expect(JSON.stringify(report)).not.toContain(PASSWORD);

    await cluster.replica.start();
    // After its back-off the breaker lets one read probe the replica; from then on it serves reads.
    const deadline = Date.now() + 30_000;
    while (replicaReads(reader) === 1) {
      if (Date.now() > deadline) throw new Error('the replica was not used again within 30 s of its restart');
      expect((await reader.tasks.list(user)).items).toHaveLength(1);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(reader.stats().replicas![0]!.breaker).toBe('closed');
  });
});
