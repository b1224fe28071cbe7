// The settings of tests/config.test.ts as the server sees them: application_name,
// statement_timeout and TLS on real sessions. Kept apart from config.test.ts, which needs no
// database and runs in the unit lane (npm run test:unit).
import { QueryTypes } from 'sequelize';
import { afterEach, describe, expect, inject, it } from 'vitest';
import {
  createDatabase,
  DatabaseUnavailableError,
  TododbError,
  translateError,
  type Database,
  type DatabaseConfig,
  type Env,
} from '../src/index.js';

describe('settings reach the server', () => {
  const opened: Database[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((db) => db.close()));
  });

  function open(config: DatabaseConfig, env: Env = {}): Database {
    const db = createDatabase(config, env);
    opened.push(db);
    return db;
  }

  function serverUrl(params: Record<string, string> = {}): string {
    const url = new URL(inject('serverUrl'));
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    return url.toString();
  }

  async function show(db: Database, sql: string): Promise<Record<string, unknown>> {
    const [row] = await db.sequelize.query<Record<string, unknown>>(sql, { type: QueryTypes.SELECT });
    return row!;
  }

  it('application_name and statement_timeout are set on the session', async () => {
    const db = open({ url: serverUrl({ application_name: 'tododb-config-test' }), statementTimeoutMs: 1234 });
    expect(await show(db, `SELECT current_setting('application_name') AS app, current_setting('statement_timeout') AS timeout`)).toEqual({
      app: 'tododb-config-test',
      timeout: '1234ms',
    });
  });

  it('with pgbouncer no statement_timeout is sent as a startup parameter', async () => {
    const db = open({ url: serverUrl({ pgbouncer: 'true' }), statementTimeoutMs: 1234 });
    const { timeout } = await show(db, `SELECT current_setting('statement_timeout') AS timeout`);
    expect(timeout).not.toBe('1234ms');
  });

  it('sslmode=disable connects without TLS', async () => {
    const db = open({ url: serverUrl({ sslmode: 'disable' }) });
    expect(await show(db, 'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')).toEqual({ ssl: false });
  });

  it.each(['require', 'no-verify'])('sslmode=%s never falls back to a connection without TLS', async (sslmode) => {
    const db = open({ url: serverUrl({ sslmode }), connectTimeoutMs: 5000 });
    // A test server without TLS refuses the connection; one with TLS encrypts it (or, for
    // `require`, fails on a certificate it cannot verify). Plaintext is never an outcome.
    const outcome = await show(db, 'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()').catch((error: unknown) =>
      translateError(error),
    );
    if (outcome instanceof TododbError) {
      expect(outcome).toBeInstanceOf(DatabaseUnavailableError);
    } else {
      expect(outcome).toEqual({ ssl: true });
    }
  });
});
