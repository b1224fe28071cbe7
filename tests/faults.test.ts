// What a service sees when the database fails under it: every failure is a typed error that
// arrives within its bound, nothing hangs, and the same handle recovers by itself.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  DatabaseUnavailableError,
  QueryTimeoutError,
  createDatabase,
  createMigrator,
  translateError,
  type Database,
} from '../src/index.js';
import { freePort, startEmbeddedPostgres, type EmbeddedServer } from './support/embeddedPostgres.js';
import { startFaultProxy, type FaultProxy } from './support/faultProxy.mjs';
import { useSilentServer } from './support/silentServer.js';
import { startTcpProxy } from './support/tcpProxy.js';
import { useDatabaseCopy, useTestDatabase } from './support/testDatabase.js';

/** Resolves with what the promise rejected with, and how long that took. */
async function failure(promise: Promise<unknown>): Promise<{ error: unknown; ms: number }> {
  const started = performance.now();
  const error = await promise.then(
    () => expect.fail('expected a failure'),
    (caught: unknown) => caught,
  );
  return { error, ms: performance.now() - started };
}

describe('a database restart under a running handle', () => {
  let server: EmbeddedServer;
  let db: Database;

  beforeAll(async () => {
    server = await startEmbeddedPostgres({ keep: true });
    db = createDatabase({ url: server.url, connectTimeoutMs: 1000, pool: { acquireTimeoutMs: 2000 } }, {});
    await createMigrator(db).up();
  }, 120_000);
  afterAll(async () => {
    await db?.close();
    await server?.stop();
  });

  it('fails fast with DatabaseUnavailableError while it is down, then recovers without a new handle, losing nothing committed', async () => {
    const user = await db.users.create({ email: 'before@example.com' });
    await db.tasks.create(user.id, { title: 'committed before the restart' });

    await server.stop();
    for (const call of [() => db.users.get(user.id), () => db.tasks.create(user.id, { title: 'while down' })]) {
      const { error, ms } = await failure(call());
      expect(error).toBeInstanceOf(DatabaseUnavailableError);
      expect(ms).toBeLessThan(3000);
    }

    server = await startEmbeddedPostgres({ keep: true, port: server.port, dataDir: server.dataDir });
    // The first call after the restart may still meet a connection the old server closed;
    // within a few attempts the handle is healthy again.
    let recovered = false;
    for (let attempt = 0; attempt < 5 && !recovered; attempt += 1) {
      recovered = await db.users.get(user.id).then(
        () => true,
        () => false,
      );
    }
    expect(recovered).toBe(true);
    const page = await db.tasks.list(user.id);
    expect(page.items.map((task) => task.title)).toEqual(['committed before the restart']);
  }, 120_000);
});

describe('connections killed by the server', () => {
  const t = useTestDatabase({ pool: { max: 3 } });

  it('drops killed idle connections and serves the next calls on new ones', async () => {
    const user = await t.db.users.create({ email: 'killed@example.com' });
    await Promise.all([1, 2, 3].map(() => t.db.users.get(user.id))); // open three connections
    await t.db.sequelize.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name = 'tododb'`,
    );
    await new Promise((resolve) => setTimeout(resolve, 200)); // let the termination notices arrive
    for (let i = 0; i < 5; i += 1) {
      expect((await t.db.users.get(user.id)).email).toBe('killed@example.com');
    }
  });

  it('fails a query whose connection is killed under it with DatabaseUnavailableError, and carries on', async () => {
    const slow = t.db.sequelize.transaction(async (transaction) => {
      await t.db.sequelize.query('SELECT pg_sleep(5)', { transaction });
    });
    const outcome = slow.then(
      () => expect.fail('expected a failure'),
      (caught: unknown) => caught,
    ); // handled at once: it may reject while the kill below is still being sent
    await new Promise((resolve) => setTimeout(resolve, 300));
    const killed = performance.now();
    const other = createDatabase({ url: t.testDb.url }, {});
    try {
      await other.sequelize.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(5)'`);
    } finally {
      await other.close();
    }
    const error = await outcome;
    expect(translateError(error)).toBeInstanceOf(DatabaseUnavailableError);
    expect(performance.now() - killed).toBeLessThan(4000);
    const user = await t.db.users.create({ email: 'after-kill@example.com' });
    expect((await t.db.users.get(user.id)).id).toBe(user.id);
  });
});

describe('pool exhaustion', () => {
  const t = useTestDatabase({ pool: { max: 1, acquireTimeoutMs: 300 } });

  it('fails a caller that cannot get a connection in time with DatabaseUnavailableError, and serves it once one is free', async () => {
    const user = await t.db.users.create({ email: 'pool@example.com' });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const holder = t.db.sequelize.transaction(async () => held);
    await new Promise((resolve) => setTimeout(resolve, 100));

    const { error, ms } = await failure(t.db.users.get(user.id));
    expect(error).toBeInstanceOf(DatabaseUnavailableError);
    expect((error as Error).message).toMatch(/free connection/);
    expect(ms).toBeLessThan(2000);

    release();
    await holder;
    expect((await t.db.users.get(user.id)).id).toBe(user.id);
  });
});

/** A fault proxy in front of the server of `url`, and the same URL through it. */
async function behindFaultProxy(url: string): Promise<{ proxy: FaultProxy; url: string }> {
  const target = new URL(url);
  const proxy = await startFaultProxy({ target: { host: target.hostname, port: Number(target.port) } });
  const viaProxy = new URL(url);
  viaProxy.hostname = '127.0.0.1';
  viaProxy.port = String(proxy.port);
  return { proxy, url: viaProxy.toString() };
}

describe('a latency fault: the pool can serve only a few callers within its acquire timeout', () => {
  const copy = useDatabaseCopy();
  const ACQUIRE_TIMEOUT_MS = 5000;
  let proxy: FaultProxy;
  let db: Database;

  beforeAll(async () => {
    let url: string;
    ({ proxy, url } = await behindFaultProxy(copy.url));
    db = createDatabase({ url, pool: { max: 2, acquireTimeoutMs: ACQUIRE_TIMEOUT_MS } }, {});
  });
  afterAll(async () => {
    await db?.close();
    await proxy?.close();
  });

  it('refuses the callers it cannot serve in time at once with DatabaseUnavailableError, instead of after the timeout, and serves the rest', async () => {
    const user = await db.users.create({ email: 'slow-link@example.com' });
    proxy.addLatency(250); // each call now holds its connection for at least 500 ms: 2 connections serve about 4 calls a second
    // The handle learns the pace of the slow link from the calls it serves: eight, two at a time.
    for (let round = 0; round < 4; round += 1) await Promise.all([db.users.get(user.id), db.users.get(user.id)]);

    // About 20 of these can be served within the acquire timeout; the rest cannot.
    const outcomes = await Promise.all(
      Array.from({ length: 60 }, async () => {
        const started = performance.now();
        const error = await db.users.get(user.id).then(
          () => undefined,
          (caught: unknown) => caught,
        );
        return { error, ms: performance.now() - started };
      }),
    );
    proxy.heal();

    const failures = outcomes.filter((outcome) => outcome.error !== undefined);
    for (const { error } of failures) expect(error).toBeInstanceOf(DatabaseUnavailableError);
    expect(outcomes.length - failures.length).toBeGreaterThanOrEqual(2);
    // Before, each of them waited out the whole acquire timeout and failed then.
    const refusedAtOnce = failures.filter((failure) => failure.ms < ACQUIRE_TIMEOUT_MS / 2);
    expect(refusedAtOnce.length).toBeGreaterThanOrEqual(20);
    expect((refusedAtOnce[0]!.error as Error).message).toMatch(/pool is saturated/);
    // Healed, the same handle serves again, and after a few calls it has relearnt the pace: a
    // burst that the slow link could not have served in time is served in full.
    for (let i = 0; i < 10; i += 1) await db.users.get(user.id);
    await Promise.all(Array.from({ length: 30 }, () => db.users.get(user.id)));
  }, 60_000);

  it('counts in stats().waiting only the callers still waiting, not those it gave up on', async () => {
    const user = await db.users.create({ email: 'slow-link-stats@example.com' });
    proxy.addLatency(250);
    // At once, before the handle knows the link is slow: the queue is told only as the pace shows.
    let settled = 0;
    let refused = 0;
    const calls = Array.from({ length: 60 }, () =>
      db.users.get(user.id).then(
        () => (settled += 1),
        () => {
          settled += 1;
          refused += 1;
        },
      ),
    );
    await vi.waitFor(() => expect(refused).toBeGreaterThanOrEqual(10), { timeout: 20_000 });
    // The pool's own queue still holds the callers given up on, until it reaches them.
    expect(db.stats().waiting).toBeLessThanOrEqual(calls.length - settled);
    proxy.heal();
    await Promise.all(calls);
  }, 60_000);
});

describe('a blip: the network drops everything for a moment', () => {
  const copy = useDatabaseCopy();
  let proxy: FaultProxy;
  let db: Database;

  beforeAll(async () => {
    let url: string;
    ({ proxy, url } = await behindFaultProxy(copy.url));
    // The default pool.maxWaiting: what a service gets.
    db = createDatabase({ url, pool: { max: 2 } }, {});
  });
  afterAll(async () => {
    await db?.close();
    await proxy?.close();
  });

  it('costs only the calls it caught on the wire: the burst queued behind them is served once it heals', async () => {
    const user = await db.users.create({ email: 'blip@example.com' });
    await Promise.all([db.users.get(user.id), db.users.get(user.id)]); // two open connections

    proxy.blackHole();
    let settled = 0;
    const calls = Array.from({ length: 300 }, () =>
      db.users
        .get(user.id)
        .then(
          () => 'served',
          (error: unknown) => error,
        )
        .finally(() => (settled += 1)),
    );
    // Two calls are on the wire, lost; every other one is waiting for a connection or refused.
    await vi.waitFor(() => expect(db.stats().inUse === 2 && db.stats().waiting + settled >= 298).toBe(true), { timeout: 10_000 });
    proxy.heal(); // the two connections that lost bytes are reset, as a middlebox that lost them would

    const outcomes = await Promise.all(calls);
    const failures = outcomes.filter((outcome) => outcome !== 'served');
    for (const failure of failures) expect(failure).toBeInstanceOf(DatabaseUnavailableError);
    expect(failures.length).toBeLessThanOrEqual(2);
  });
});

describe('a black-holed host (accepts TCP, never answers)', () => {
  const silentHost = useSilentServer();

  it('fails service calls and model calls within the connect timeout, without hanging', async () => {
    const db = createDatabase(
      { url: `postgres://app:pw@127.0.0.1:${silentHost.port}/app`, connectTimeoutMs: 500, pool: { acquireTimeoutMs: 5000 } },
      {},
    );
    try {
      const service = await failure(db.users.get('01a22267-4a5f-7007-87cb-2f1219c2d539'));
      expect(service.error).toBeInstanceOf(DatabaseUnavailableError);
      expect(service.ms).toBeLessThan(2500);
      const model = await failure(db.models.User.findAll());
      expect(model.ms).toBeLessThan(2500);
    } finally {
      await db.close();
    }
  });
});

describe('a server that stops answering on an open connection', () => {
  const t = useTestDatabase();

  it('times the query out, and gives the next call a new connection, not the one it gave up on', async () => {
    const port = await freePort();
    const server = new URL(t.testDb.url);
    const proxy = await startTcpProxy(port, { host: server.hostname, port: Number(server.port || 5432) });
    server.hostname = '127.0.0.1';
    server.port = String(port);
    // pool.max 1: the next call gets the connection that timed out, unless it was dropped.
    const db = createDatabase(
      { url: server.toString(), pool: { max: 1, acquireTimeoutMs: 5000 }, queryTimeoutMs: 1000, statementTimeoutMs: 0 },
      {},
    );
    try {
      const user = await db.users.create({ email: 'frozen@example.com' });
      proxy.freeze();
      expect((await failure(db.users.get(user.id))).error).toBeInstanceOf(QueryTimeoutError);
      expect((await db.users.get(user.id)).id).toBe(user.id);
    } finally {
      await db.close();
      await proxy.close();
    }
  });
});

describe('a closed port', () => {
  it('fails at once with DatabaseUnavailableError', async () => {
    const closedPort = await freePort();
    const db = createDatabase({ url: `postgres://app:pw@127.0.0.1:${closedPort}/app` }, {});
    try {
      const { error, ms } = await failure(db.tasks.list('01a22267-4a5f-7007-87cb-2f1219c2d539'));
      expect(error).toBeInstanceOf(DatabaseUnavailableError);
      expect(ms).toBeLessThan(1000);
    } finally {
      await db.close();
    }
  });
});
