// tododb through a real PgBouncer in transaction mode, as on Neon's pooled URL. Run with
// `npm run test:pgbouncer`; it needs the pgbouncer executable (see tests/support/pgbouncer.ts).
import pg from 'pg';
import { QueryTypes } from 'sequelize';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  checkHealth,
  ConfigError,
  createDatabase,
  createMigrator,
  DatabaseUnavailableError,
  NotFoundError,
  type Database,
  type DatabaseTransaction,
  type MigrationEvent,
  type TaskRecord,
  translateError,
} from '../src/index.js';
import { startPgBouncer, type PgBouncer } from './support/pgbouncer.js';
import { admin, createTestDatabase, type TestDatabase } from './support/testDatabase.js';
import { createTwoRoleDatabase, type Login, type TwoRoleDatabase } from './support/twoRoleDatabase.js';

const ALL = ['0001-create-users', '0002-create-tasks', '0003-tasks-row-level-security'];
const POOL_SIZE = 3;
const PASSWORD = 'pw_MARKER_7f3a';

let bouncer: PgBouncer;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  bouncer = await startPgBouncer(inject('serverUrl'), { poolSize: POOL_SIZE });
});
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  await bouncer?.stop();
});

/** A database of its own on the server, and its URL through PgBouncer (with a password in it). */
async function database(options: { migrated?: boolean } = {}): Promise<{ testDb: TestDatabase; url: string }> {
  const testDb = await createTestDatabase(options);
  cleanups.push(() => testDb.drop());
  const url = new URL(bouncer.url(testDb.name));
  // PgBouncer trusts its clients; a password in the URL must still never show up in an error.
  if (url.password === '') url.password = PASSWORD;
  return { testDb, url: url.toString() };
}

function open(url: string, options: Parameters<typeof createDatabase>[0] = {}): Database {
  const db = createDatabase({ url, pgbouncer: true, ...options }, {});
  cleanups.push(() => db.close());
  return db;
}

/** Backends of `database` on the server itself, seen directly rather than through PgBouncer. */
async function serverBackends(database: string): Promise<number[]> {
  return admin(inject('serverUrl'), async (client) => {
    const { rows } = await client.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = $1 ORDER BY pid`, [database]);
    return rows.map((row) => row.pid);
  });
}

const WATCHED = [
  'statement_timeout',
  'lock_timeout',
  'idle_in_transaction_session_timeout',
  'TimeZone',
  'client_min_messages',
  'standard_conforming_strings',
  'search_path',
  'DateStyle',
  'default_transaction_isolation',
  'transaction_isolation',
];
// SET TRANSACTION marks these as set by the session, yet they go back to the defaults at the next
// transaction (their value is checked in WATCHED): a source of 'session' there is no leak.
const PER_TRANSACTION = ['application_name', 'transaction_isolation', 'transaction_read_only', 'transaction_deferrable'];
const SETTINGS_SQL = `SELECT json_object_agg(name, setting) AS watched FROM pg_settings WHERE name = ANY($1)`;

interface Backend {
  pid: number;
  watched: Record<string, string>;
  /**
   * Settings changed by a session-level SET, other than application_name (PgBouncer sets that
   * itself for each client) and the per-transaction ones.
   */
  setBySession: string[];
}

/**
 * The session state of every server connection PgBouncer holds for `database`: as many clients as
 * the pool has server connections each open a transaction, so each is given a server of its own,
 * and each reads its server's settings. Checks against the server that no backend was missed.
 */
async function inspectServerConnections(url: string, database: string): Promise<Backend[]> {
  const clients = Array.from({ length: POOL_SIZE }, () => new pg.Client({ connectionString: url }));
  try {
    await Promise.all(clients.map((client) => client.connect()));
    await Promise.all(clients.map((client) => client.query('BEGIN')));
    const backends = await Promise.all(
      clients.map(async (client) => {
        const { rows } = await client.query<{ pid: number; watched: Record<string, string>; session: string[] }>(
          `SELECT pg_backend_pid() AS pid, (${SETTINGS_SQL}) AS watched,
                  (SELECT coalesce(json_agg(name ORDER BY name), '[]') FROM pg_settings
                    WHERE source = 'session' AND name <> ALL($2)) AS session`,
          [WATCHED, PER_TRANSACTION],
        );
        return { pid: rows[0]!.pid, watched: rows[0]!.watched, setBySession: rows[0]!.session };
      }),
    );
    expect(new Set(backends.map((backend) => backend.pid)).size).toBe(POOL_SIZE);
    // Every backend PgBouncer keeps for this database is one we just inspected.
    const inspected = backends.map((backend) => backend.pid);
    for (const pid of await serverBackends(database)) expect(inspected).toContain(pid);
    await Promise.all(clients.map((client) => client.query('ROLLBACK')));
    return backends;
  } finally {
    await Promise.all(clients.map((client) => client.end().catch(() => {})));
  }
}

/** The settings a fresh backend of `database` has, asked of the server directly. */
async function freshSettings(database: string): Promise<Record<string, string>> {
  const url = new URL(inject('serverUrl'));
  url.pathname = `/${database}`;
  return admin(
    url.toString(),
    async (client) => (await client.query<{ watched: Record<string, string> }>(SETTINGS_SQL, [WATCHED])).rows[0]!.watched,
  );
}

describe('the PgBouncer under test', () => {
  it('pools in transaction mode: more clients than server connections share them', async () => {
    const { testDb, url } = await database();
    const clients = Array.from({ length: 2 * POOL_SIZE }, () => new pg.Client({ connectionString: url }));
    try {
      await Promise.all(clients.map((client) => client.connect()));
      const pids = new Set<number>();
      for (let round = 0; round < 5; round++) {
        const results = await Promise.all(
          clients.map((client) => client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid, pg_sleep(0.02)')),
        );
        for (const result of results) pids.add(result.rows[0]!.pid);
      }
      expect(pids.size).toBeLessThanOrEqual(POOL_SIZE);
      expect((await serverBackends(testDb.name)).length).toBeLessThanOrEqual(POOL_SIZE);
    } finally {
      await Promise.all(clients.map((client) => client.end().catch(() => {})));
    }
  });

  it('refuses the statement_timeout startup parameter, as Neon’s pooler does', async () => {
    const { url } = await database();
    const client = new pg.Client({ connectionString: url, statement_timeout: 5000 });
    client.on('error', () => {});
    await expect(client.connect()).rejects.toMatchObject({ code: '08P01', message: 'unsupported startup parameter: statement_timeout' });
  });
});

describe('createDatabase({ pgbouncer: true }) through PgBouncer', () => {
  let db: Database;
  let testDb: TestDatabase;

  beforeAll(async () => {
    const created = await database();
    testDb = created.testDb;
    db = open(created.url, { pool: { max: 2 * POOL_SIZE } });
  });

  it('serves the users and tasks services', async () => {
    const user = await db.users.create({ email: ' Ada@Example.com ', name: 'Ada' });
    expect(user.email).toBe('ada@example.com');
    expect(await db.users.getByEmail('ADA@example.com')).toEqual(user);
    const task = await db.tasks.create(user.id, { title: 'write the pgbouncer test' });
    const updated = await db.tasks.update(user.id, task.id, { isCompleted: true });
    expect(updated).toMatchObject({ id: task.id, isCompleted: true });
    expect((await db.tasks.list(user.id)).items).toEqual([updated]);
    await db.tasks.delete(user.id, task.id);
    await expect(db.tasks.get(user.id, task.id)).rejects.toBeInstanceOf(NotFoundError);
    await db.users.delete(user.id);
    await expect(db.users.get(user.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('serves model calls', async () => {
    const { User, Task } = db.models;
    const user = await User.create({ email: 'grace@example.com', name: 'Grace' });
    await Task.create({ userId: user.id, title: 'first' });
    await Task.create({ userId: user.id, title: 'second' });
    const found = await User.findAll({ where: { email: 'grace@example.com' }, include: [Task] });
    expect(found).toHaveLength(1);
    expect(found[0]!.id).toBe(user.id);
    expect((found[0]!.tasks ?? []).map((task) => task.title).sort()).toEqual(['first', 'second']);
  });

  it('commits and rolls back transactions', async () => {
    const { User, Task } = db.models;
    const committed = await db.sequelize.transaction(async (transaction) => {
      const user = await User.create({ email: 'committed@example.com' }, { transaction });
      await Task.create({ userId: user.id, title: 'in a transaction' }, { transaction });
      // Another client does not see it before the commit.
      expect(await db.users.getByEmail('committed@example.com').catch((error: unknown) => error)).toBeInstanceOf(NotFoundError);
      return user;
    });
    expect((await db.tasks.list(committed.id)).items.map((task) => task.title)).toEqual(['in a transaction']);

    const failure = new Error('roll it back');
    await expect(
      db.sequelize.transaction(async (transaction) => {
        await User.create({ email: 'rolledback@example.com' }, { transaction });
        throw failure;
      }),
    ).rejects.toBe(failure);
    await expect(db.users.getByEmail('rolledback@example.com')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('reports ok from checkHealth', async () => {
    const report = await checkHealth(db);
    expect(report).toMatchObject({ status: 'ok', migrations: { applied: ALL.length, pending: 0 } });
    expect(JSON.stringify(report)).not.toContain(PASSWORD);
  });

  it('checkHealth answers within its timeout while PgBouncer has no free server connection, and is ok again after', async () => {
    // The probe's connection is its own to PgBouncer, but it shares PgBouncer's server pool: when
    // long transactions hold every server connection, it cannot run either, and says so in time.
    const holders = Array.from({ length: POOL_SIZE }, () => new pg.Client({ connectionString: bouncer.url(testDb.name) }));
    try {
      await Promise.all(holders.map((client) => client.connect()));
      await Promise.all(holders.map((client) => client.query('BEGIN')));
      const started = performance.now();
      const report = await checkHealth(db, { timeoutMs: 1000 });
      expect(performance.now() - started).toBeLessThan(1500);
      expect(report).toMatchObject({ status: 'error', reason: 'no answer within 1000 ms' });
      await Promise.all(holders.map((client) => client.query('ROLLBACK')));
      expect((await checkHealth(db, { timeoutMs: 1000 })).status).toBe('ok');
    } finally {
      await Promise.all(holders.map((client) => client.end().catch(() => {})));
    }
  });

  it('detects PgBouncer from ?pgbouncer=true in the URL', async () => {
    const url = new URL(bouncer.url(testDb.name));
    url.searchParams.set('pgbouncer', 'true');
    const fromUrl = createDatabase({ url: url.toString() }, {});
    cleanups.push(() => fromUrl.close());
    expect(await fromUrl.users.create({ email: 'from-url@example.com' })).toMatchObject({ email: 'from-url@example.com' });
    expect((await checkHealth(fromUrl)).status).toBe('ok');
  });
});

describe('createDatabase({ pgbouncer: false }) through PgBouncer', () => {
  it('fails every call with a DatabaseUnavailableError that says to set pgbouncer, without the password', async () => {
    const { url } = await database();
    const db = open(url, { pgbouncer: false });
    // Services throw tododb's errors; model calls throw Sequelize's, which translateError turns
    // into tododb's. (The migrator opens its own connection without a session statement_timeout,
    // so it is not refused: see the next test.)
    const attempts: [string, () => Promise<unknown>][] = [
      ['users.create', () => db.users.create({ email: 'nobody@example.com' })],
      ['User.findAll', () => db.models.User.findAll().catch((error: unknown) => Promise.reject(translateError(error)))],
    ];
    for (const [what, attempt] of attempts) {
      const error = await attempt().then(
        () => expect.fail(`${what} succeeded`),
        (caught: unknown) => caught,
      );
      expect(error, what).toBeInstanceOf(DatabaseUnavailableError);
      const message = (error as Error).message;
      expect(message, what).toMatch(/statement_timeout/);
      expect(message, what).toMatch(/pgbouncer: true/);
      expect(message, what).not.toContain(PASSWORD);
    }
    const report = await checkHealth(db);
    expect(report.status).toBe('error');
    expect(report.reason).toMatch(/pgbouncer: true/);
    expect(JSON.stringify(report)).not.toContain(PASSWORD);
  });

  it('refuses to migrate too, with the same reason: the migrator draws on the same pool', async () => {
    const { url } = await database({ migrated: false });
    const db = open(url, { pgbouncer: false });
    const error = await createMigrator(db)
      .up()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseUnavailableError);
    expect((error as Error).message).toMatch(/pgbouncer: true/);
    expect((error as Error).message).not.toContain(PASSWORD);
  });
});

describe('concurrent migrators through PgBouncer', () => {
  it('three migrators (and in one round six) on an empty database all succeed and apply each migration exactly once', async () => {
    // Several rounds, since which migrator wins each lock differs from round to round; the last
    // with twice as many migrators as PgBouncer has server connections for the database.
    for (const [round, count] of [3, 3, 3, 2 * POOL_SIZE].entries()) {
      const { testDb, url } = await database({ migrated: false });
      const events: MigrationEvent[] = [];
      const migrators = Array.from({ length: count }, () =>
        createMigrator(open(url), { lockTimeoutMs: 15_000, onMigration: (event) => events.push(event) }),
      );
      const results = await Promise.allSettled(migrators.map((migrator) => migrator.up()));
      expect(
        results.map((result) => result.status),
        `round ${round}: ${JSON.stringify(results)}`,
      ).toEqual(migrators.map(() => 'fulfilled'));
      const applied = results.flatMap((result) => (result.status === 'fulfilled' ? result.value : []));
      expect(applied.sort()).toEqual(ALL);
      for (const name of ALL) {
        expect(events.filter((event) => event.name === name && event.outcome === 'done')).toHaveLength(1);
      }
      // They really raced: some found a migration pending, waited for the lock, and then found it
      // applied by another. (A migrator that reads the list after a commit never tries that one.)
      expect(events.filter((event) => event.outcome === 'skipped').length).toBeGreaterThan(0);

      const server = new URL(inject('serverUrl'));
      server.pathname = `/${testDb.name}`;
      await admin(server.toString(), async (client) => {
        const recorded = await client.query<{ name: string }>(`SELECT name FROM tododb_migrations ORDER BY name`);
        expect(recorded.rows.map((row) => row.name)).toEqual(ALL);
        const tables = await client.query<{ name: string }>(
          `SELECT table_name::text AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
        );
        expect(tables.rows.map((row) => row.name)).toEqual(['tasks', 'tododb_migrations', 'users']);
      });
      expect((await serverBackends(testDb.name)).length).toBeLessThanOrEqual(POOL_SIZE);
      const db = open(url);
      expect(await createMigrator(db).pending()).toEqual([]);
      expect((await checkHealth(db)).status).toBe('ok');
    }
  });
});

describe('session state through PgBouncer', () => {
  it('the inspection notices a session-level SET left on a server connection', async () => {
    // The check below must be able to fail: a plain client leaves a SET behind, and it is seen.
    const { testDb, url } = await database();
    const careless = new pg.Client({ connectionString: url });
    await careless.connect();
    await careless.query('SET statement_timeout = 4321');
    await careless.end();
    const backends = await inspectServerConnections(url, testDb.name);
    expect(backends.filter((backend) => backend.watched.statement_timeout === '4321')).toHaveLength(1);
    expect(backends.filter((backend) => backend.setBySession.includes('statement_timeout'))).toHaveLength(1);
  });

  it('after migrations, models, transactions, services and health checks from many clients, no server connection has changed state', async () => {
    const { testDb, url } = await database({ migrated: false });
    const logged: string[] = [];
    const dbs = Array.from({ length: 4 }, () => open(url, { pool: { max: 4 }, logging: (sql) => logged.push(sql) }));
    await Promise.all(dbs.map((db) => createMigrator(db).up()));

    await Promise.all(
      dbs.flatMap((db, d) =>
        Array.from({ length: 4 }, async (_, c) => {
          const email = `state-${d}-${c}@example.com`;
          const user = await db.users.create({ email });
          for (let i = 0; i < 5; i++) {
            await db.tasks.create(user.id, { title: `task ${i}` });
            await db.sequelize.transaction(async (transaction) => {
              const task = await db.models.Task.create({ userId: user.id, title: `model task ${i}` }, { transaction });
              await task.update({ isCompleted: true }, { transaction });
            });
            await db.models.User.findAll({ where: { email } });
            await db.tasks.list(user.id, { limit: 3 });
          }
          expect((await checkHealth(db)).status).toBe('ok');
        }),
      ),
    );

    const fresh = await freshSettings(testDb.name);
    for (const backend of await inspectServerConnections(url, testDb.name)) {
      expect(backend.setBySession, `backend ${backend.pid}`).toEqual([]);
      expect(backend.watched, `backend ${backend.pid}`).toEqual(fresh);
    }

    // And what tododb itself sent: every SET is transaction-scoped (SET LOCAL ends with its
    // transaction, and outside one it does nothing).
    const sets = logged.flatMap((line) => {
      const match = /^Execut(?:ing|ed) \(([^)]+)\): ([\s\S]*)$/.exec(line);
      const [context, sql] = match ? [match[1]!, match[2]!] : ['service layer', line];
      return sql
        .split(';')
        .map((statement) => statement.trim())
        .filter((statement) => /^SET\b/i.test(statement))
        .map((statement) => ({ context, statement }));
    });
    expect(sets.length).toBeGreaterThan(0);
    for (const { context, statement } of sets) {
      expect(statement, context).toMatch(/^SET (LOCAL|TRANSACTION)\b/i);
    }
  });
});

describe('many clients through PgBouncer', () => {
  it('32 concurrent clients with interleaved service calls each read back exactly what they wrote', async () => {
    const { testDb, url } = await database();
    // 8 handles with 4 connections each: 32 PgBouncer clients sharing 3 server connections.
    const dbs = Array.from({ length: 8 }, () => open(url, { pool: { max: 4, min: 4 } }));
    const tasksOf = new Map<string, string[]>();

    const clients = Array.from({ length: 32 }, async (_, n) => {
      const db = dbs[n % dbs.length]!;
      const user = await db.users.create({ email: `client-${n}@example.com`, name: `client ${n}` });
      const written = new Map<string, TaskRecord>();
      for (let i = 0; i < 8; i++) {
        const task = await db.tasks.create(user.id, { title: `client ${n} task ${i}`, description: `by ${user.id}` });
        written.set(task.id, task);
        if (i % 3 === 0) written.set(task.id, await db.tasks.update(user.id, task.id, { isCompleted: true }));
        const page = await db.tasks.list(user.id, { limit: 100 });
        expect(page.items.map((item) => item.userId)).toEqual(page.items.map(() => user.id));
        expect(new Set(page.items.map((item) => item.id))).toEqual(new Set(written.keys()));
        expect(await db.tasks.get(user.id, task.id)).toEqual(written.get(task.id));
        expect(await db.users.get(user.id)).toEqual(user);
      }
      const page = await db.tasks.list(user.id, { limit: 100 });
      expect(page.items.sort((a, b) => a.id.localeCompare(b.id))).toEqual([...written.values()].sort((a, b) => a.id.localeCompare(b.id)));
      tasksOf.set(user.id, [...written.keys()]);
      return user.id;
    });
    const users = await Promise.all(clients);

    // Nobody can reach another user's task either.
    const [first, second] = users as [string, string];
    await expect(dbs[0]!.tasks.get(first, tasksOf.get(second)![0]!)).rejects.toBeInstanceOf(NotFoundError);

    const pgbouncerClients = (await bouncer.admin<{ database: string }>('SHOW CLIENTS')).filter((row) => row.database === testDb.name);
    expect(pgbouncerClients.length).toBeGreaterThanOrEqual(32);
    expect((await serverBackends(testDb.name)).length).toBeLessThanOrEqual(POOL_SIZE);
    const counts = await dbs[0]!.sequelize.query<{ users: string; tasks: string }>(
      `SELECT (SELECT count(*) FROM users) AS users, (SELECT count(*) FROM tasks) AS tasks`,
      { type: QueryTypes.SELECT },
    );
    expect(counts[0]).toEqual({ users: '32', tasks: String(32 * 8) });
  });
});

describe('db.transaction() through PgBouncer', () => {
  /** Reads committed rows of `database` on the server itself, past PgBouncer. */
  async function committed<Row extends pg.QueryResultRow>(database: string, sql: string, values: unknown[]): Promise<Row[]> {
    const server = new URL(inject('serverUrl'));
    server.pathname = `/${database}`;
    return admin(server.toString(), async (client) => (await client.query<Row>(sql, values)).rows);
  }
  const titlesOf = async (database: string, userId: string) =>
    (await committed<{ title: string }>(database, `SELECT title FROM tasks WHERE user_id = $1 ORDER BY title`, [userId])).map(
      (row) => row.title,
    );
  const usersNamed = async (database: string, email: string) =>
    (await committed<{ n: number }>(database, `SELECT count(*)::int AS n FROM users WHERE email = $1`, [email]))[0]!.n;
  /** The server transaction a statement runs in: the same id at both ends of a callback means one transaction throughout. */
  async function serverTransaction(db: Database, tx: DatabaseTransaction): Promise<string> {
    const rows = await db.sequelize.query<{ txid: string }>('SELECT txid_current()::text AS txid', {
      transaction: tx.transaction,
      type: QueryTypes.SELECT,
    });
    return rows[0]!.txid;
  }

  it('commits the callback’s writes, invisible to others until then, and rolls them all back when it throws', async () => {
    const { testDb, url } = await database();
    const db = open(url, { pool: { max: 4 } });
    const user = await db.transaction(async (tx) => {
      const first = await serverTransaction(db, tx);
      const created = await tx.users.create({ email: 'tx-commit@example.com' });
      await tx.tasks.create(created.id, { title: 'through tx' });
      await tx.models.Task.create({ userId: created.id, title: 'through a model' }, { transaction: tx.transaction });
      expect(await usersNamed(testDb.name, 'tx-commit@example.com')).toBe(0);
      expect(await serverTransaction(db, tx)).toBe(first);
      return created;
    });
    expect(await titlesOf(testDb.name, user.id)).toEqual(['through a model', 'through tx']);

    const failure = new Error('undo');
    let rolledBack = '';
    await expect(
      db.transaction(async (tx) => {
        const created = await tx.users.create({ email: 'tx-rollback@example.com' });
        rolledBack = created.id;
        await tx.tasks.create(created.id, { title: 'never kept' });
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await usersNamed(testDb.name, 'tx-rollback@example.com')).toBe(0);
    expect(await titlesOf(testDb.name, rolledBack)).toEqual([]);
  });

  it('a db.* call in the callback, also from a helper that only knows db, joins the transaction', async () => {
    const { testDb, url } = await database();
    const db = open(url, { pool: { max: 4 } });
    const addTask = (handle: Database, userId: string, title: string) => handle.tasks.create(userId, { title });
    const failure = new Error('undo');
    let userId = '';
    await expect(
      db.transaction(async (tx) => {
        const first = await serverTransaction(db, tx);
        const created = await db.users.create({ email: 'tx-joined@example.com' });
        userId = created.id;
        // The user is not committed: on any other server transaction this would be NotFoundError.
        await addTask(db, created.id, 'from the helper');
        await db.models.Task.create({ userId: created.id, title: 'model without transaction' });
        expect((await db.tasks.list(created.id)).items).toHaveLength(2);
        expect(await serverTransaction(db, tx)).toBe(first);
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await usersNamed(testDb.name, 'tx-joined@example.com')).toBe(0);
    expect(await titlesOf(testDb.name, userId)).toEqual([]);
  });

  it('concurrent transactions from many clients each see only their own writes, and only the committed ones stay', async () => {
    const { testDb, url } = await database();
    // 4 handles of 4 connections: 16 transactions at a time over PgBouncer's 3 server connections.
    const dbs = Array.from({ length: 4 }, () => open(url, { pool: { max: 4 } }));
    const outcomes = await Promise.allSettled(
      Array.from({ length: 24 }, (_, n) =>
        dbs[n % dbs.length]!.transaction(async (tx) => {
          const db = dbs[n % dbs.length]!;
          const first = await serverTransaction(db, tx);
          const user = await tx.users.create({ email: `tx-client-${n}@example.com` });
          for (let i = 0; i < 4; i += 1) {
            await (i % 2 === 0
              ? tx.tasks.create(user.id, { title: `client ${n} task ${i}` })
              : db.tasks.create(user.id, { title: `client ${n} task ${i}` }));
            const page = await tx.tasks.list(user.id, { limit: 100 });
            expect(page.items.map((task) => task.title).sort()).toEqual(Array.from({ length: i + 1 }, (_, k) => `client ${n} task ${k}`));
          }
          // Its own uncommitted user is there; of the others, only those already committed.
          const seen = await db.sequelize.query<{ email: string }>(`SELECT email FROM users WHERE email LIKE 'tx-client-%'`, {
            transaction: tx.transaction,
            type: QueryTypes.SELECT,
          });
          expect(seen.map((row) => row.email)).toContain(`tx-client-${n}@example.com`);
          // Never one that another client wrote in a transaction that rolls back.
          for (const { email } of seen)
            expect(Number(/tx-client-(\d+)@/.exec(email)![1]) % 3 === 2 && email !== `tx-client-${n}@example.com`, email).toBe(false);
          expect(await serverTransaction(db, tx)).toBe(first);
          if (n % 3 === 2) throw new Error(`client ${n} rolls back`);
          return user.id;
        }),
      ),
    );
    for (const [n, outcome] of outcomes.entries()) {
      if (n % 3 === 2) {
        expect(outcome.status, `client ${n}`).toBe('rejected');
        expect((outcome as PromiseRejectedResult).reason.message).toBe(`client ${n} rolls back`);
        expect(await usersNamed(testDb.name, `tx-client-${n}@example.com`), `client ${n}`).toBe(0);
      } else {
        expect(outcome.status, `client ${n}: ${JSON.stringify(outcome)}`).toBe('fulfilled');
        const userId = (outcome as PromiseFulfilledResult<string>).value;
        expect(await titlesOf(testDb.name, userId)).toEqual([0, 1, 2, 3].map((k) => `client ${n} task ${k}`));
      }
    }
    const total = await committed<{ users: number; tasks: number }>(
      testDb.name,
      `SELECT (SELECT count(*)::int FROM users) AS users, (SELECT count(*)::int FROM tasks) AS tasks`,
      [],
    );
    expect(total[0]).toEqual({ users: 16, tasks: 16 * 4 });
    expect((await serverBackends(testDb.name)).length).toBeLessThanOrEqual(POOL_SIZE);
  });

  it('works with pool: { max: 1 }: services, db.* calls, models and a savepoint on the one connection', async () => {
    const { testDb, url } = await database();
    // Anything that wanted a second connection would fail after 2 s with DatabaseUnavailableError.
    const db = open(url, { pool: { max: 1, acquireTimeoutMs: 2000 } });
    const user = await db.transaction(async (tx) => {
      const created = await tx.users.create({ email: 'tx-one@example.com' });
      await db.tasks.create(created.id, { title: 'db.tasks' });
      await tx.models.Task.create({ userId: created.id, title: 'model with transaction' }, { transaction: tx.transaction });
      await db.models.Task.create({ userId: created.id, title: 'model without' });
      await db.transaction(async (nested) => nested.tasks.create(created.id, { title: 'savepoint' }));
      await db
        .transaction(async (nested) => {
          await nested.tasks.create(created.id, { title: 'savepoint, rolled back' });
          throw new Error('inner');
        })
        .catch(() => undefined);
      return created;
    });
    expect(await titlesOf(testDb.name, user.id)).toEqual(['db.tasks', 'model with transaction', 'model without', 'savepoint']);
    expect(db.stats()).toMatchObject({ max: 1, inUse: 0, waiting: 0 });
  });
});

describe('prepared statements through PgBouncer', () => {
  /**
   * The names of the prepared statements on every server connection PgBouncer holds for
   * `database`, by backend: as many clients as the pool has server connections each open a
   * transaction, so each is given a server of its own, and each reads its server's statements.
   */
  async function preparedOnServerConnections(url: string, database: string): Promise<string[][]> {
    const clients = Array.from({ length: POOL_SIZE }, () => new pg.Client({ connectionString: url }));
    try {
      await Promise.all(clients.map((client) => client.connect()));
      await Promise.all(clients.map((client) => client.query('BEGIN')));
      const backends = await Promise.all(
        clients.map(async (client) => {
          const { rows } = await client.query<{ pid: number; names: string[] }>(
            'SELECT pg_backend_pid() AS pid, array(SELECT name FROM pg_prepared_statements ORDER BY name) AS names',
          );
          return rows[0]!;
        }),
      );
      const inspected = backends.map((backend) => backend.pid);
      expect(new Set(inspected).size).toBe(POOL_SIZE);
      for (const pid of await serverBackends(database)) expect(inspected).toContain(pid);
      await Promise.all(clients.map((client) => client.query('ROLLBACK')));
      return backends.map((backend) => backend.names);
    } finally {
      await Promise.all(clients.map((client) => client.end().catch(() => {})));
    }
  }

  it('the inspection finds a named statement that a client sent through PgBouncer', async () => {
    // The check below must be able to fail: a named statement stays on the server connection
    // that parsed it, where another client's transaction can later run into it.
    const { testDb, url } = await database();
    const careless = new pg.Client({ connectionString: url });
    await careless.connect();
    await careless.query({ name: 'careless_named', text: 'SELECT 1' });
    await careless.end();
    expect((await preparedOnServerConnections(url, testDb.name)).flat()).toEqual(['careless_named']);
  });

  it('no statement name is ever sent by the service layer, whether PgBouncer is set or detected from the URL', async () => {
    const { testDb, url } = await database();
    const detected = new URL(url);
    detected.searchParams.set('pgbouncer', 'true');
    const dbs = [
      open(url, { pool: { max: 4 } }),
      open(url, { pool: { max: 4 } }),
      createDatabase({ url: detected.toString(), pool: { max: 4 } }, {}),
    ];
    cleanups.push(() => dbs[2]!.close());
    await Promise.all(
      dbs.flatMap((db, d) =>
        Array.from({ length: 4 }, async (_, c) => {
          const email = `unnamed-${d}-${c}@example.com`;
          const user = await db.users.create({ email });
          for (let i = 0; i < 5; i++) {
            const task = await db.tasks.create(user.id, { title: `task ${i}` });
            await db.tasks.get(user.id, task.id);
            await db.tasks.update(user.id, task.id, { isCompleted: true });
            await db.tasks.list(user.id, { limit: 3 });
            await db.users.getByEmail(email);
            await db.tasks.delete(user.id, task.id);
          }
          await db.transaction(async (tx) => tx.tasks.create(user.id, { title: 'in a transaction' }));
          // The health probe too: its second probe is the one statement it prepares on a direct connection.
          for (let i = 0; i < 2; i++) expect((await checkHealth(db)).status).toBe('ok');
        }),
      ),
    );
    expect(await preparedOnServerConnections(url, testDb.name)).toEqual(Array.from({ length: POOL_SIZE }, () => []));
  });

  it('preparedStatements: true with PgBouncer, set or detected from the URL, is a ConfigError naming the field', () => {
    const url = new URL(bouncer.url('anything'));
    url.password = PASSWORD;
    const detected = new URL(url);
    detected.searchParams.set('pgbouncer', 'true');
    for (const config of [
      { url: url.toString(), pgbouncer: true, preparedStatements: true },
      { url: detected.toString(), preparedStatements: true },
    ]) {
      const error = (() => {
        try {
          createDatabase(config, {});
        } catch (caught) {
          return caught;
        }
        return expect.fail('createDatabase accepted it');
      })();
      expect(error).toBeInstanceOf(ConfigError);
      expect(error).toMatchObject({ code: 'CONFIG_INVALID', field: 'preparedStatements' });
      expect((error as Error).message).not.toContain(PASSWORD);
    }
  });
});

describe('row-level security through PgBouncer, as an application role', () => {
  // Roles of its own (see twoRoleDatabase.ts), and a PgBouncer of its own that knows them.
  let rls: TwoRoleDatabase;
  let rlsBouncer: PgBouncer;
  const USERS = 16;
  const ROUNDS = 100;

  beforeAll(async () => {
    rls = await createTwoRoleDatabase();
    rlsBouncer = await startPgBouncer(inject('serverUrl'), { poolSize: POOL_SIZE, users: [rls.owner, rls.app] });
  });
  afterAll(async () => {
    await rlsBouncer?.stop();
    await rls?.drop();
  });

  /** The test database's URL through this block's PgBouncer, logged in as `login`. */
  function bouncerUrl(login: Login): string {
    const url = new URL(rlsBouncer.url(rls.database.name));
    url.username = login.name;
    url.password = login.password;
    return url.toString();
  }
  const openAs = (login: Login, config: Parameters<typeof createDatabase>[0] = {}) =>
    open(bouncerUrl(login), { rowLevelSecurity: true, ...config });

  /**
   * The acting user and the tasks an unscoped query sees on every server connection PgBouncer
   * holds for the application role: as many clients as it has server connections each open a
   * transaction, so each is given one of its own; checked against the server that none was missed.
   */
  async function inspectAppServerConnections(): Promise<{ pid: number; acting: string; tasks: number }[]> {
    const clients = Array.from({ length: POOL_SIZE }, () => new pg.Client({ connectionString: bouncerUrl(rls.app) }));
    try {
      await Promise.all(clients.map((client) => client.connect()));
      await Promise.all(clients.map((client) => client.query('BEGIN')));
      const seen = await Promise.all(
        clients.map(async (client) => {
          const { rows } = await client.query<{ pid: number; acting: string | null; tasks: number }>(
            `SELECT pg_backend_pid() AS pid, current_setting('app.user_id', true) AS acting, (SELECT count(*)::int FROM tasks) AS tasks`,
          );
          return { ...rows[0]!, acting: rows[0]!.acting ?? '' };
        }),
      );
      await Promise.all(clients.map((client) => client.query('ROLLBACK')));
      const backends = await admin(inject('serverUrl'), async (client) => {
        const { rows } = await client.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = $1 AND usename = $2`, [
          rls.database.name,
          rls.app.name,
        ]);
        return rows.map((row) => row.pid);
      });
      expect(backends.length).toBeLessThanOrEqual(POOL_SIZE);
      for (const pid of backends) expect(seen.map((backend) => backend.pid)).toContain(pid);
      return seen;
    } finally {
      await Promise.all(clients.map((client) => client.end().catch(() => {})));
    }
  }

  it(`${USERS} users × ${ROUNDS} rounds over ${POOL_SIZE} server connections each see only their own tasks, also from unscoped queries`, async () => {
    // 4 handles of 4 connections: 16 PgBouncer clients sharing 3 server connections.
    const dbs = Array.from({ length: 4 }, () => openAs(rls.app, { pool: { max: 4 } }));
    const users = await Promise.all(
      Array.from({ length: USERS }, (_, n) => dbs[n % dbs.length]!.users.create({ email: `rls-${n}@example.com` })),
    );
    const firstTasks = await Promise.all(users.map((user, n) => dbs[n % dbs.length]!.tasks.create(user.id, { title: `user ${n} task 0` })));
    await Promise.all(
      users.map(async (user, n) => {
        const db = dbs[n % dbs.length]!;
        const mine = [firstTasks[n]!.id];
        const someoneElses = firstTasks[(n + 1) % USERS]!.id;
        for (let round = 1; round <= ROUNDS; round += 1) {
          expect((await db.tasks.get(user.id, mine[round % mine.length]!)).userId).toBe(user.id);
          const page = await db.tasks.list(user.id, { limit: 100 });
          expect(page.items.map((task) => task.id).sort()).toEqual([...mine].sort());
          await expect(db.tasks.get(user.id, someoneElses)).rejects.toBeInstanceOf(NotFoundError);
          // Unscoped and outside a transaction: nothing, whichever server connection served whom.
          expect(await db.models.Task.count()).toBe(0);
          if (round % 10 === 0) {
            const seen = await db.transaction(async (tx) => {
              mine.push((await tx.tasks.create(user.id, { title: `user ${n} task ${round}` })).id);
              return tx.models.Task.findAll({ transaction: tx.transaction });
            });
            expect(seen.map((task) => task.id).sort()).toEqual([...mine].sort());
          }
        }
      }),
    );
    const owner = openAs(rls.owner);
    expect(await owner.models.Task.count()).toBe(USERS * (1 + ROUNDS / 10));
  });

  it('leaves no acting user on any server connection, and the inspection would notice one', async () => {
    const db = openAs(rls.app, { pool: { max: 2 * POOL_SIZE } });
    const user = await db.users.create({ email: 'rls-after@example.com' });
    await Promise.all(Array.from({ length: 4 * POOL_SIZE }, (_, i) => db.tasks.create(user.id, { title: `after ${i}` })));
    await db.transaction((tx) => tx.tasks.list(user.id));
    for (const backend of await inspectAppServerConnections())
      expect(backend, `backend ${backend.pid}`).toMatchObject({ acting: '', tasks: 0 });

    // A careless client that sets the user for its session leaves it on a server connection.
    const careless = new pg.Client({ connectionString: bouncerUrl(rls.app) });
    await careless.connect();
    await careless.query(`SELECT set_config('app.user_id', $1, false)`, [user.id]);
    await careless.end();
    const polluted = (await inspectAppServerConnections()).filter((backend) => backend.acting === user.id);
    expect(polluted).toHaveLength(1);
    expect(polluted[0]!.tasks).toBe(4 * POOL_SIZE);
  });
});
