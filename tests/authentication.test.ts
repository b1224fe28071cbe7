// Authentication failures, told apart: a role that does not exist (SQLSTATE 28000) and a
// refused password (28P01). The reason reaches the service layer's error, the health report and
// the CLI's one line, and never names the role or carries the password.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseUnavailableError, checkHealth, createDatabase, type Database } from '../src/index.js';
import { startEmbeddedPostgres, type EmbeddedServer } from './support/embeddedPostgres.js';
import { useDatabaseCopy } from './support/testDatabase.js';
import { lines, runCli } from './fixtures/cli.js';

const MARKER = `SECRET_${randomBytes(6).toString('hex')}`;
const MISSING_ROLE = `tododb_missing_${randomBytes(4).toString('hex')}`;
const APP_ROLE = `tododb_app_${randomBytes(4).toString('hex')}`;
const SOME_UUID = '01a22267-4a5f-7007-87cb-2f1219c2d539';

const ROLE_MISSING = /unavailable: the role\b.* does not exist/;
const PASSWORD_REFUSED = /password authentication failed/;

/** `url` with another user name and password. */
function withCredentials(url: string, user: string, password: string): string {
  const parsed = new URL(url);
  parsed.username = user;
  parsed.password = password;
  return parsed.toString();
}

/** What a user of each surface sees: the service layer's error, the health report, the CLI's stderr. */
async function whatUsersSee(url: string): Promise<{ error: unknown; report: unknown; health: string[]; status: string[] }> {
  const db: Database = createDatabase({ url, connectTimeoutMs: 5000 }, {});
  try {
    const error = await db.users.get(SOME_UUID).then(
      () => expect.fail('expected a failure'),
      (caught: unknown) => caught,
    );
    const report = await checkHealth(db, { timeoutMs: 5000 });
    const health = await runCli(['health', '--url', url]);
    const status = await runCli(['migrate', 'status', '--url', url]);
    expect(health.code).toBe(1);
    expect(status.code).toBe(1);
    return { error, report, health: lines(health.stderr), status: lines(status.stderr) };
  } finally {
    await db.close();
  }
}

/** Every surface tells `reason`, in one line, without the role's name (where tododb wrote it) or the password. */
function expectToldEverywhere(seen: Awaited<ReturnType<typeof whatUsersSee>>, reason: RegExp, role: string): void {
  expect(seen.error).toBeInstanceOf(DatabaseUnavailableError);
  const message = (seen.error as Error).message;
  expect(message).toMatch(reason);
  expect(message).not.toContain(role);
  expect(message).not.toContain(MARKER);

  expect(seen.report).toMatchObject({ status: 'error', reason: expect.stringMatching(reason) });
  expect(JSON.stringify(seen.report)).not.toContain(role);
  expect(JSON.stringify(seen.report)).not.toContain(MARKER);

  // Without --verbose: one line each, which says why. (The CLI's line names the database it
  // tried, user included, as `postgres://user:***@host/db`; the password never.)
  for (const stderr of [seen.health, seen.status]) {
    expect(stderr).toHaveLength(1);
    expect(stderr[0]).toMatch(reason);
    expect(stderr[0]).not.toContain(MARKER);
  }
}

describe('a role that does not exist (SQLSTATE 28000)', () => {
  // The shared server trusts 127.0.0.1, so it never asks for a password and says plainly
  // that the role is missing.
  const testDb = useDatabaseCopy();

  it('is reported as a missing role, not as a refused password, by the service layer, checkHealth and the CLI', async () => {
    const seen = await whatUsersSee(withCredentials(testDb.url, MISSING_ROLE, MARKER));
    expectToldEverywhere(seen, ROLE_MISSING, MISSING_ROLE);
    expect((seen.error as Error).message).not.toMatch(PASSWORD_REFUSED);
  });
});

describe('a refused password (SQLSTATE 28P01)', () => {
  // A server of the test's own, with password authentication (the shared one trusts
  // 127.0.0.1 and must not be reconfigured).
  let server: EmbeddedServer;

  beforeAll(async () => {
    server = await startEmbeddedPostgres();
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    try {
      await admin.query(`CREATE ROLE ${APP_ROLE} LOGIN PASSWORD 'the-right-one'`);
    } finally {
      await admin.end();
    }
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('is reported as a refused password by the service layer, checkHealth and the CLI', async () => {
    const seen = await whatUsersSee(withCredentials(server.url, APP_ROLE, MARKER));
    expectToldEverywhere(seen, PASSWORD_REFUSED, APP_ROLE);
    expect((seen.error as Error).message).not.toMatch(ROLE_MISSING);
  });

  it('is the same for a missing role: with password authentication the server does not say which', async () => {
    const seen = await whatUsersSee(withCredentials(server.url, MISSING_ROLE, MARKER));
    expectToldEverywhere(seen, PASSWORD_REFUSED, MISSING_ROLE);
  });
});
