// driver: 'neon-serverless': tododb over @neondatabase/serverless, through a WebSocket-to-TCP proxy
// in front of a PostgreSQL of this file's own that asks for passwords as Neon does (clear text,
// inside the WebSocket), with a role that asks for SCRAM-SHA-256 and one it trusts. The settings
// are the user's, on the package's neonConfig, as a user sets them for a local proxy.
import pg from 'pg';
import { neonConfig } from '@neondatabase/serverless';
import { WebSocket } from 'ws';
import { QueryTypes } from 'sequelize';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  checkHealth,
  ConfigError,
  ConflictError,
  createDatabase,
  createMigrator,
  DatabaseUnavailableError,
  NotFoundError,
  QueryTimeoutError,
  type Database,
  type DatabaseConfig,
} from '../src/index.js';
import { loadDriver } from '../src/connection/loadDriver.js';
import { NEON_INTERNALS } from '../src/connection/neonInternals.js';
import { freePort } from './support/embeddedPostgres.js';
import { withDatabase } from './support/globalSetup.js';
import { startNeonTestServer, type NeonAuth, type NeonTestServer } from './support/neonServer.js';
import { startWebSocketProxy } from './support/webSocketProxy.mjs';

const ALL = ['0001-create-users', '0002-create-tasks', '0003-tasks-row-level-security'];

let server: NeonTestServer;
let migrated: string; // a database migrated through the driver in beforeAll, shared by the tests
let applied: string[];
const handles: Database[] = [];

// Each test may point the driver at another proxy; by default it is the server's.
let wsProxy: (host: string, port: number | string) => string;

beforeAll(async () => {
  server = await startNeonTestServer();
  // What a user of a local WebSocket proxy sets (on Node 20 tododb supplies `ws` itself).
  neonConfig.wsProxy = (host, port) => wsProxy(host, port);
  neonConfig.useSecureWebSocket = false;
  wsProxy = server.proxy.wsProxy;
  migrated = await server.createDatabase();
  const db = open(migrated);
  applied = await createMigrator(db).up();
  await db.users.create({ email: 'known@example.com', name: 'Known' });
});

afterEach(() => {
  wsProxy = server.proxy.wsProxy;
  // Back to what the user set in beforeAll: the driver's defaults for the rest.
  neonConfig.pipelineConnect = 'password';
  neonConfig.coalesceWrites = undefined as unknown as boolean;
});

afterAll(async () => {
  await Promise.all(handles.map((db) => db.close()));
  await server?.stop();
});

/** A handle through the driver (closed after the file). */
function open(database: string, config: DatabaseConfig & { auth?: NeonAuth; password?: string } = {}): Database {
  const { auth, password, ...rest } = config;
  const db = createDatabase({ url: server.url(database, auth, password), driver: 'neon-serverless', ...rest }, {});
  handles.push(db);
  return db;
}

function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => expect.fail(`expected a rejection, got ${JSON.stringify(value)}`),
    (error: unknown) => error,
  );
}

/** Nothing a user can see of `error` names the password. */
function expectNoSecret(value: unknown): void {
  const seen = value instanceof Error ? `${value.message} ${value.stack ?? ''} ${JSON.stringify(value)}` : JSON.stringify(value);
  expect(seen).not.toContain(server.password);
}

describe('over WebSockets, with the pipelined connect Neon uses', () => {
  it('migrated the empty database (in beforeAll), and reports it healthy', async () => {
    expect(applied).toEqual(ALL);
    const db = open(migrated);
    expect(await createMigrator(db).executed()).toEqual(ALL);
    expect(await createMigrator(db).pending()).toEqual([]);
    const report = await checkHealth(db, { timeoutMs: 5000 });
    expect(report).toMatchObject({
      status: 'ok',
      migrations: { applied: ALL.length, pending: 0 },
      serverVersion: expect.stringMatching(/^\d+\.\d+/),
    });
    expectNoSecret(report);
    expect(JSON.stringify(report)).not.toContain('neon.test');
  });

  it('serves the service layer: users, tasks, pages, updates, deletes, and a taken email as ConflictError', async () => {
    const db = open(migrated);
    const ada = await db.users.create({ email: 'ada@example.com', name: 'Ada' });
    expect(await db.users.getByEmail(' ADA@example.com ')).toEqual(ada);
    const titles = ['one', 'two', 'three'];
    for (const title of titles) await db.tasks.create(ada.id, { title });
    const page = await db.tasks.list(ada.id, { limit: 2 });
    expect(page.items.map((task) => task.title)).toEqual(['three', 'two']);
    const rest = await db.tasks.list(ada.id, { limit: 2, cursor: page.nextCursor! });
    expect(rest.items.map((task) => task.title)).toEqual(['one']);
    const done = await db.tasks.update(ada.id, page.items[0]!.id, { isCompleted: true });
    expect(done.isCompleted).toBe(true);
    await db.tasks.delete(ada.id, done.id);
    expect(await rejection(db.tasks.get(ada.id, done.id))).toBeInstanceOf(NotFoundError);

    const taken = await rejection(db.users.create({ email: 'Ada@Example.com' }));
    expect(taken).toBeInstanceOf(ConflictError);
    expect(taken).toMatchObject({ field: 'email' });
    expectNoSecret(taken);
  });

  it("reads records right on a new connection's first statement when the database sets another DateStyle", async () => {
    // With the pipelined connect the first statement leaves before the server reports any
    // setting: only the DateStyle that tododb asks for at start-up makes its rows readable.
    const database = await server.createDatabase();
    const setup = new pg.Client({ connectionString: withDatabase(server.adminUrl, database) });
    await setup.connect();
    try {
      await setup.query(`ALTER DATABASE ${database} SET DateStyle = 'SQL, DMY'`);
    } finally {
      await setup.end();
    }
    const admin = open(database);
    await createMigrator(admin).up();
    const db = open(database, { pool: { max: 1 } });
    const user = await db.users.create({ email: 'dmy@example.com' });
    expect(user.createdAt).toBeInstanceOf(Date);
    expect(Math.abs(user.createdAt.getTime() - Date.now())).toBeLessThan(60_000);
    expect(await db.users.get(user.id)).toEqual(user);
  });

  it('runs db.transaction(): commits, rolls back, and runs serializable when asked', async () => {
    const db = open(migrated);
    const user = await db.transaction(async (tx) => {
      const created = await tx.users.create({ email: 'tx@example.com' });
      await tx.tasks.create(created.id, { title: 'kept' });
      return created;
    });
    await expect(
      db.transaction(async (tx) => {
        await tx.tasks.create(user.id, { title: 'undone' });
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect((await db.tasks.list(user.id)).items.map((task) => task.title)).toEqual(['kept']);

    const isolation = await db.transaction(
      async (tx) => {
        const rows = await db.sequelize.query<{ transaction_isolation: string }>('SHOW transaction_isolation', {
          transaction: tx.transaction,
          type: QueryTypes.SELECT,
        });
        return rows[0]!.transaction_isolation;
      },
      { isolationLevel: 'serializable' },
    );
    expect(isolation).toBe('serializable');
  });

  it('runs 20 concurrent transactions on a pool of 4, each committed once', async () => {
    const db = open(migrated, { pool: { max: 4 } });
    const owner = await db.users.create({ email: 'many@example.com' });
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        db.transaction(async (tx) => {
          await tx.tasks.create(owner.id, { title: `t${i}` });
          await tx.tasks.create(owner.id, { title: `u${i}` });
        }),
      ),
    );
    expect((await db.tasks.list(owner.id, { limit: 100 })).items).toHaveLength(40);
    expect(db.stats().max).toBe(4);
  });

  it('serves the models: create, bulkCreate, a query with its association', async () => {
    const db = open(migrated);
    const { User, Task } = db.models;
    const user = await User.create({ email: 'models@example.com' });
    await Task.bulkCreate([
      { userId: user.id, title: 'a' },
      { userId: user.id, title: 'b' },
    ]);
    const found = await User.findByPk(user.id, { include: [{ model: Task, as: 'tasks' }] });
    expect(found?.tasks?.map((task) => task.title).sort()).toEqual(['a', 'b']);
  });

  it('works with row-level security on (its statements go one after another: the driver has no pipeline mode)', async () => {
    const db = open(migrated, { rowLevelSecurity: true });
    const user = await db.users.create({ email: 'rls@example.com' });
    const task = await db.tasks.create(user.id, { title: 'mine' });
    expect(await db.tasks.get(user.id, task.id)).toEqual(task);
  });

  it('sends a statement as one WebSocket message at once (not a timer tick later), unless the user set coalesceWrites', async () => {
    // A WebSocket constructor of the user's that records what the driver sends.
    const sent: unknown[] = [];
    class RecordingWebSocket extends WebSocket {
      override send(data: Parameters<WebSocket['send']>[0]): void {
        sent.push(data);
        super.send(data);
      }
    }
    neonConfig.webSocketConstructor = RecordingWebSocket as unknown as typeof neonConfig.webSocketConstructor;
    // The frames one warm service call sends, and how many of them left before a zero timer
    // scheduled with the call fired (the driver's own coalescing waits for one).
    const oneCall = async (): Promise<{ frames: number; beforeTimer: number }> => {
      const db = open(migrated, { pool: { max: 1 } });
      await db.users.getByEmail('known@example.com');
      sent.length = 0;
      const call = db.users.getByEmail('known@example.com');
      const beforeTimer = await new Promise<number>((resolve) => setTimeout(() => resolve(sent.length), 0));
      await call;
      const frames = sent.length;
      await db.close();
      return { frames, beforeTimer };
    };
    try {
      expect(await oneCall()).toEqual({ frames: 1, beforeTimer: 1 });
      neonConfig.coalesceWrites = false;
      expect((await oneCall()).frames).toBeGreaterThan(1);
      neonConfig.coalesceWrites = true;
      expect(await oneCall()).toEqual({ frames: 1, beforeTimer: 0 });
    } finally {
      neonConfig.webSocketConstructor = undefined;
    }
  });

  it('drops a connection whose query timed out at once, also when the server stopped answering', async () => {
    const silent = await startWebSocketProxy({ host: '127.0.0.1', port: server.port });
    try {
      wsProxy = silent.wsProxy;
      const db = open(migrated, { pool: { max: 1, acquireTimeoutMs: 5000 }, queryTimeoutMs: 1000, statementTimeoutMs: 0 });
      const user = await db.users.create({ email: 'silent@example.com' });
      silent.freeze();
      expect(await rejection(db.users.get(user.id))).toBeInstanceOf(QueryTimeoutError);
      // pool.max 1: the next call gets a new connection, not the one stuck waiting for the frozen
      // proxy to complete a WebSocket close (the ws package would wait 30 s).
      wsProxy = server.proxy.wsProxy;
      expect(await db.users.get(user.id)).toEqual(user);
    } finally {
      await silent.close();
    }
  });
});

describe('errors a user meets', () => {
  it('a wrong password: DatabaseUnavailableError from services, an error report from checkHealth, neither with the password', async () => {
    const wrong = `${server.password}_wrong`;
    const db = open(migrated, { password: wrong });
    const error = await rejection(db.users.get('01a22267-4a5f-7007-87cb-2f1219c2d539'));
    expect(error).toBeInstanceOf(DatabaseUnavailableError);
    expect((error as Error).message).toMatch(/password authentication failed/);
    expect(`${(error as Error).message}`).not.toContain(wrong);
    const report = await checkHealth(db, { timeoutMs: 5000 });
    expect(report).toMatchObject({ status: 'error', reason: expect.stringMatching(/password authentication failed/) });
    expect(JSON.stringify(report)).not.toContain(wrong);
  });

  it('no WebSocket proxy listening: DatabaseUnavailableError (ECONNREFUSED), and an error report within its timeout', async () => {
    const port = await freePort();
    wsProxy = () => `127.0.0.1:${port}/v2`;
    const db = open(migrated);
    const error = await rejection(db.users.get('01a22267-4a5f-7007-87cb-2f1219c2d539'));
    expect(error).toBeInstanceOf(DatabaseUnavailableError);
    expect((error as Error).message).toMatch(/ECONNREFUSED/);
    expectNoSecret(error);
    const report = await checkHealth(db, { timeoutMs: 2000 });
    expect(report).toMatchObject({ status: 'error', reason: expect.stringMatching(/unavailable/) });
    expectNoSecret(report);
  });

  it('the proxy up but the database down: DatabaseUnavailableError, and an error report', async () => {
    const nowhere = await startWebSocketProxy({ host: '127.0.0.1', port: await freePort() });
    try {
      wsProxy = nowhere.wsProxy;
      const db = open(migrated);
      const error = await rejection(db.users.create({ email: 'down@example.com' }));
      expect(error).toBeInstanceOf(DatabaseUnavailableError);
      expectNoSecret(error);
      expect(await checkHealth(db, { timeoutMs: 2000 })).toMatchObject({ status: 'error' });
    } finally {
      await nowhere.close();
    }
  });
});

describe('how the server asks for the password, and neonConfig.pipelineConnect', () => {
  it('a server that asks for SCRAM-SHA-256 refuses the pipelined connect: the error says to set pipelineConnect = false, which works', async () => {
    const db = open(migrated, { auth: 'scram-sha-256' });
    const error = await rejection(db.users.getByEmail('known@example.com'));
    expect(error).toBeInstanceOf(DatabaseUnavailableError);
    expect((error as Error).message).toMatch(/asked for SCRAM-SHA-256.*pipelineConnect = false/);
    expect(await checkHealth(db)).toMatchObject({ status: 'error', reason: expect.stringMatching(/pipelineConnect = false/) });
    expectNoSecret(error);

    neonConfig.pipelineConnect = false;
    expect((await db.users.getByEmail('known@example.com')).email).toBe('known@example.com');
    expect(await checkHealth(db)).toMatchObject({ status: 'ok' });
  });

  it('a server that trusts the client refuses the pipelined password too, and says so', async () => {
    const db = open(migrated, { auth: 'trust' });
    const error = await rejection(db.users.getByEmail('known@example.com'));
    expect((error as Error).message).toMatch(/without a password \(trust\).*pipelineConnect = false/);
    neonConfig.pipelineConnect = false;
    expect((await db.users.getByEmail('known@example.com')).email).toBe('known@example.com');
  });
});

describe('settings the WebSocket driver cannot honour', () => {
  it('never sends a query in plain text when the URL asks for TLS and neonConfig turned the secure WebSocket off', async () => {
    const db = open(migrated, { ssl: true });
    const opened = server.proxy.opened();
    const error = await rejection(db.users.getByEmail('known@example.com'));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ field: 'ssl', message: expect.stringContaining('useSecureWebSocket') });
    expect(server.proxy.opened()).toBe(opened);
  });

  it('the members of the package that tododb reaches beyond its documented API are there', () => {
    expect(NEON_INTERNALS).toEqual(['neonConfig.opts', 'client.neonConfig.ws.terminate']);
    expect(typeof (neonConfig as unknown as { opts: unknown }).opts).toBe('object');
  });

  it('closes a WebSocket at once when a query times out, also when the peer stopped answering (no 30 s closing handshake)', async () => {
    const silent = await startWebSocketProxy({ host: '127.0.0.1', port: server.port });
    try {
      wsProxy = silent.wsProxy;
      const driver = await loadDriver('neon-serverless');
      const client = new driver.Client({ connectionString: server.url('postgres'), query_timeout: 500 });
      driver.prepareClient(client, {});
      client.on('error', () => {});
      await client.connect();
      await client.query('SELECT 1');
      silent.freeze();
      const ended = new Promise((resolve) => client.once('end', resolve));
      await expect(client.query('SELECT 1')).rejects.toThrow('Query read timeout');
      driver.destroySocket(client);
      await ended;
    } finally {
      await silent.close();
    }
  });
});

describe('the same database through driver pg', () => {
  it('reads what the WebSocket driver wrote', async () => {
    const db = createDatabase({ url: withDatabase(server.adminUrl, migrated) }, {});
    handles.push(db);
    expect((await db.users.getByEmail('known@example.com')).name).toBe('Known');
  });
});
