import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkHealth, createDatabase, type Database, type HealthReport } from '../src/index.js';
import { TABLES } from '../src/schema/names.js';
import { freePort } from './support/embeddedPostgres.js';
import { useSilentServer } from './support/silentServer.js';
import { admin, createTestDatabase, useTestDatabase } from './support/testDatabase.js';

const MARKER_PASSWORD = 'hunter2_MARKER_pw';
const MARKER_USER = 'markeruser';

/** Nothing in the serialised report names a password, user, host or URL. */
function expectNoSecrets(report: HealthReport, ...secrets: string[]): void {
  const json = JSON.stringify(report);
  for (const secret of [MARKER_PASSWORD, MARKER_USER, '127.0.0.1', 'postgres://', ...secrets]) {
    expect(json).not.toContain(secret);
  }
}

describe('checkHealth', () => {
  const t = useTestDatabase({ pool: { max: 2 } });
  const { testDb } = t;
  let db: Database;

  beforeAll(() => {
    db = t.db;
  });

  it('keeps one connection of its own between probes, and replaces it once it is gone', async () => {
    const probeBackends = () =>
      admin(testDb.url, async (client) =>
        (
          await client.query<{ pid: number }>(
            `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'tododb:health'`,
          )
        ).rows.map((row) => row.pid),
      );
    expect((await checkHealth(db)).status).toBe('ok');
    const [first, ...others] = await probeBackends();
    expect(others).toEqual([]);
    for (let i = 0; i < 5; i++) expect((await checkHealth(db)).status).toBe('ok');
    expect(await probeBackends()).toEqual([first]);

    // The server ends it (a restart, idle_session_timeout): the next probe opens a new one.
    await admin(testDb.url, (client) => client.query('SELECT pg_terminate_backend($1, 5000)', [first]));
    const afterKill = await checkHealth(db);
    const replaced = await probeBackends();
    if (afterKill.status === 'error') {
      // The probe may learn of the loss only by trying; the one after must be ok again.
      expect((await checkHealth(db)).status).toBe('ok');
    }
    const [second, ...rest] = await probeBackends();
    expect(rest).toEqual([]);
    expect(second).not.toBe(first);
    expect(replaced.length).toBeLessThanOrEqual(1);
  });

  it('reports ok with the probe latency, server version, pool and migrations', async () => {
    const report = await checkHealth(db);
    expect(report).toMatchObject({
      status: 'ok',
      serverVersion: expect.stringMatching(/^\d+(\.\d+)?/),
      migrations: { applied: 3, pending: 0 },
      pool: { max: 2, waiting: 0 },
    });
    expect(report.latencyMs).toBeGreaterThan(0);
    expect(report.latencyMs).toBeLessThan(2000);
    expect(Date.parse(report.checkedAt)).not.toBeNaN();
    expect(report.reason).toBeUndefined();
    expectNoSecrets(report, testDb.name);
  });

  it('stays ok while every connection of the pool is busy', async () => {
    const sleepers = [1, 2].map(() => db.sequelize.query('SELECT pg_sleep(2)'));
    while (db.stats().inUse < 2) await new Promise((resolve) => setTimeout(resolve, 20));
    const report = await checkHealth(db, { timeoutMs: 1000 });
    expect(report.status).toBe('ok');
    expect(report.pool.inUse).toBe(2);
    await Promise.all(sleepers);
  });

  it('reports migrations pending as an error on an unmigrated database', async () => {
    const empty = await createTestDatabase({ migrated: false });
    const emptyDb = createDatabase({ url: empty.url }, {});
    try {
      const report = await checkHealth(emptyDb);
      expect(report.status).toBe('error');
      expect(report.migrations).toEqual({ applied: 0, pending: 3 });
      expect(report.reason).toMatch(/pending/);
    } finally {
      await emptyDb.close();
      await empty.drop();
    }
  });

  it('reports migrations pending when the migration table is dropped between two probes', async () => {
    const copy = await createTestDatabase();
    const copyDb = createDatabase({ url: copy.url }, {});
    try {
      // The second probe reads the migration table in the statement that reads the version.
      for (let i = 0; i < 2; i++) expect((await checkHealth(copyDb)).migrations).toEqual({ applied: 3, pending: 0 });
      await admin(copy.url, (client) => client.query(`DROP TABLE ${TABLES.migrations}`));
      const report = await checkHealth(copyDb);
      expect(report).toMatchObject({ status: 'error', migrations: { applied: 0, pending: 3 }, reason: expect.stringMatching(/pending/) });
      expect((await checkHealth(copyDb)).migrations).toEqual({ applied: 0, pending: 3 });
    } finally {
      await copyDb.close();
      await copy.drop();
    }
  });

  it("reports the migrations as numbers when the application has changed pg's integer parser", async () => {
    const saved = pg.types.getTypeParser(23, 'text');
    pg.types.setTypeParser(23, (text: string) => text);
    // A handle of its own: its first probe finds the migration table (two statements), the second reads it in one.
    const fresh = createDatabase({ url: testDb.url }, {});
    try {
      for (let i = 0; i < 2; i++) expect((await checkHealth(fresh)).migrations).toEqual({ applied: 3, pending: 0 });
    } finally {
      pg.types.setTypeParser(23, saved);
      await fresh.close();
    }
  });

  it('reports an error, without secrets, when the port is closed', async () => {
    const port = await freePort();
    const closed = createDatabase({ url: `postgres://${MARKER_USER}:${MARKER_PASSWORD}@127.0.0.1:${port}/app` }, {});
    try {
      const started = Date.now();
      const report = await checkHealth(closed, { timeoutMs: 2000 });
      expect(Date.now() - started).toBeLessThan(1000);
      expect(report.status).toBe('error');
      expect(report.reason).toMatch(/ECONNREFUSED|unavailable/);
      expectNoSecrets(report, String(port));
    } finally {
      await closed.close();
    }
  });

  it('reports an error, without secrets, when the credentials are wrong', async () => {
    const url = new URL(testDb.url);
    url.username = MARKER_USER;
    url.password = MARKER_PASSWORD;
    const wrong = createDatabase({ url: url.toString() }, {});
    try {
      const report = await checkHealth(wrong);
      expect(report.status).toBe('error');
      expectNoSecrets(report, testDb.name);
    } finally {
      await wrong.close();
    }
  });

  describe('against a host that accepts connections and never answers', () => {
    const silentHost = useSilentServer();

    it('returns error within the timeout plus a small margin, and leaves no socket behind', async () => {
      const silent = createDatabase({ url: `postgres://${MARKER_USER}:${MARKER_PASSWORD}@127.0.0.1:${silentHost.port}/app` }, {});
      try {
        const started = performance.now();
        const report = await checkHealth(silent, { timeoutMs: 500 });
        const took = performance.now() - started;
        expect(report.status).toBe('error');
        expect(took).toBeGreaterThanOrEqual(450);
        expect(took).toBeLessThan(500 + 500);
        expect(report.latencyMs).toBeLessThan(500 + 500);
        expectNoSecrets(report, String(silentHost.port));
        // The abandoned probe's socket is closed, not left to hang.
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(silentHost.openSockets).toBe(0);
      } finally {
        await silent.close();
      }
    });
  });

  it('shares one probe between callers that ask at the same time', async () => {
    const reports = await Promise.all(Array.from({ length: 50 }, () => checkHealth(db)));
    expect(new Set(reports).size).toBe(1); // one probe, one connection, for fifty callers
    expect(reports[0]!.status).toBe('ok');
    const later = await checkHealth(db);
    expect(later).not.toBe(reports[0]); // a finished probe is not reused
  });

  it('treats a timeout too large for a Node timer as the largest one, not as zero', async () => {
    const report = await checkHealth(db, { timeoutMs: 3e9 });
    expect(report.status).toBe('ok');
  });

  it('never throws, even for something that is not a database', async () => {
    const report = await checkHealth({} as Database);
    expect(report.status).toBe('error');
  });
});
