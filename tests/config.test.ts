import util from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ConfigError,
  DatabaseUnavailableError,
  TododbError,
  createDatabase,
  translateError,
  type Database,
  type DatabaseConfig,
  type Env,
} from '../src/index.js';
// Internal to tododb (not exported by the package): the function createDatabase() calls.
import { resolveConfig, type ResolvedConfig } from '../src/config/resolveConfig.js';

const MARKER = 'p4ss_MARKER_x';
const URL_WITH_MARKER = `postgres://app:${MARKER}@db.example.com:5432/app`;

/** Every way a config can be wrong, with the field the error must name. */
const INVALID: { name: string; input: unknown; env?: Env; field: string }[] = [
  { name: 'no URL at all', input: {}, field: 'url' },
  { name: 'a URL that is not a string', input: { url: 42 }, field: 'url' },
  { name: 'an unparseable URL', input: { url: `postgres://app:${MARKER}@db.example.com:port/app` }, field: 'url' },
  { name: 'text that is not a URL', input: { url: `not a url ${MARKER}` }, field: 'url' },
  {
    name: 'an application_name of 64 characters in the URL',
    input: { url: `${URL_WITH_MARKER}?application_name=${'a'.repeat(64)}` },
    field: 'url',
  },
  { name: 'a mysql:// URL', input: { url: `mysql://app:${MARKER}@db.example.com/app` }, field: 'url' },
  { name: 'an https:// URL', input: { url: `https://app:${MARKER}@db.example.com/app` }, field: 'url' },
  { name: 'a URL without a database', input: { url: `postgres://app:${MARKER}@db.example.com:5432` }, field: 'url' },
  { name: 'a URL with an empty database', input: { url: `postgres://app:${MARKER}@db.example.com:5432/` }, field: 'url' },
  { name: 'a URL without a user', input: { url: `postgres://:${MARKER}@db.example.com/app` }, field: 'url' },
  { name: 'port 0', input: { url: `postgres://app:${MARKER}@db.example.com:0/app` }, field: 'url' },
  { name: 'port 99999', input: { url: `postgres://app:${MARKER}@db.example.com:99999/app` }, field: 'url' },
  { name: 'a non-numeric ?port', input: { url: `postgres://app:${MARKER}@/app?host=db.example.com&port=abc` }, field: 'url' },
  { name: 'an unknown query parameter', input: { url: `${URL_WITH_MARKER}?sslmdoe=require` }, field: 'url' },
  { name: 'an unknown sslmode', input: { url: `${URL_WITH_MARKER}?sslmode=yes` }, field: 'url' },
  { name: 'a bad channel_binding', input: { url: `${URL_WITH_MARKER}?channel_binding=always` }, field: 'url' },
  { name: 'a bad connect_timeout', input: { url: `${URL_WITH_MARKER}?connect_timeout=-5` }, field: 'url' },
  { name: 'a bad ?pgbouncer', input: { url: `${URL_WITH_MARKER}?pgbouncer=yes` }, field: 'url' },
  { name: 'a malformed percent-encoding in the password', input: { url: `postgres://app:%ZZ${MARKER}@db.example.com/app` }, field: 'url' },
  { name: 'a garbage DATABASE_URL', input: {}, env: { DATABASE_URL: `mysql://app:${MARKER}@db.example.com/app` }, field: 'DATABASE_URL' },
  { name: 'pool.max 0', input: { url: URL_WITH_MARKER, pool: { max: 0 } }, field: 'pool.max' },
  { name: 'pool.max -1', input: { url: URL_WITH_MARKER, pool: { max: -1 } }, field: 'pool.max' },
  { name: 'pool.max 1.5', input: { url: URL_WITH_MARKER, pool: { max: 1.5 } }, field: 'pool.max' },
  { name: "pool.max '10'", input: { url: URL_WITH_MARKER, pool: { max: '10' } }, field: 'pool.max' },
  { name: 'pool.max NaN', input: { url: URL_WITH_MARKER, pool: { max: Number.NaN } }, field: 'pool.max' },
  {
    name: 'a connect timeout past what a Node timer holds',
    input: { url: URL_WITH_MARKER, connectTimeoutMs: 2 ** 31 },
    field: 'connectTimeoutMs',
  },
  {
    name: 'an acquire timeout past what a Node timer holds',
    input: { url: URL_WITH_MARKER, pool: { acquireTimeoutMs: 3e9 } },
    field: 'pool.acquireTimeoutMs',
  },
  { name: 'pool.max Infinity', input: { url: URL_WITH_MARKER, pool: { max: Number.POSITIVE_INFINITY } }, field: 'pool.max' },
  { name: 'pool.min -1', input: { url: URL_WITH_MARKER, pool: { min: -1 } }, field: 'pool.min' },
  { name: 'pool.min > pool.max', input: { url: URL_WITH_MARKER, pool: { min: 5, max: 2 } }, field: 'pool.min' },
  { name: 'DATABASE_POOL_MIN > pool.max', input: { url: URL_WITH_MARKER }, env: { DATABASE_POOL_MIN: '11' }, field: 'pool.min' },
  { name: 'pool.idleMs 0', input: { url: URL_WITH_MARKER, pool: { idleMs: 0 } }, field: 'pool.idleMs' },
  { name: 'pool.acquireTimeoutMs 2.5', input: { url: URL_WITH_MARKER, pool: { acquireTimeoutMs: 2.5 } }, field: 'pool.acquireTimeoutMs' },
  { name: 'connectTimeoutMs 0', input: { url: URL_WITH_MARKER, connectTimeoutMs: 0 }, field: 'connectTimeoutMs' },
  { name: 'statementTimeoutMs -1', input: { url: URL_WITH_MARKER, statementTimeoutMs: -1 }, field: 'statementTimeoutMs' },
  { name: "queryTimeoutMs '5'", input: { url: URL_WITH_MARKER, queryTimeoutMs: '5' }, field: 'queryTimeoutMs' },
  { name: 'pool that is not an object', input: { url: URL_WITH_MARKER, pool: 10 }, field: 'pool' },
  { name: 'pool null', input: { url: URL_WITH_MARKER, pool: null }, field: 'pool' },
  { name: 'an unknown option', input: { url: URL_WITH_MARKER, poolMax: 3 }, field: 'poolMax' },
  { name: 'an unknown pool option', input: { url: URL_WITH_MARKER, pool: { maximum: 3 } }, field: 'pool.maximum' },
  { name: "ssl 'yes'", input: { url: URL_WITH_MARKER, ssl: 'yes' }, field: 'ssl' },
  { name: 'ssl null', input: { url: URL_WITH_MARKER, ssl: null }, field: 'ssl' },
  { name: 'ssl 1', input: { url: URL_WITH_MARKER, ssl: 1 }, field: 'ssl' },
  { name: "pgbouncer 'true'", input: { url: URL_WITH_MARKER, pgbouncer: 'true' }, field: 'pgbouncer' },
  { name: 'logging true', input: { url: URL_WITH_MARKER, logging: true }, field: 'logging' },
  { name: "logging 'console'", input: { url: URL_WITH_MARKER, logging: 'console' }, field: 'logging' },
  { name: 'applicationName of 64 characters', input: { url: URL_WITH_MARKER, applicationName: 'a'.repeat(64) }, field: 'applicationName' },
  { name: 'applicationName 7', input: { url: URL_WITH_MARKER, applicationName: 7 }, field: 'applicationName' },
  { name: 'a config that is not an object', input: 'postgres://app@db.example.com/app', field: 'config' },
  { name: 'a null config', input: null, field: 'config' },
  ...[
    ['DATABASE_POOL_MAX', 'abc'],
    ['DATABASE_POOL_MAX', '0'],
    ['DATABASE_POOL_MAX', '1.5'],
    ['DATABASE_POOL_MAX', '-3'],
    ['DATABASE_POOL_MAX', '1e3'],
    ['DATABASE_POOL_MIN', 'none'],
    ['DATABASE_POOL_IDLE_MS', '10s'],
    ['DATABASE_POOL_ACQUIRE_TIMEOUT_MS', 'NaN'],
    ['DATABASE_CONNECT_TIMEOUT_MS', '0'],
    ['DATABASE_STATEMENT_TIMEOUT_MS', 'off'],
    ['DATABASE_QUERY_TIMEOUT_MS', '99999999999999999999'],
    ['DATABASE_SSL', 'yes'],
    ['DATABASE_PGBOUNCER', '1'],
    ['DATABASE_APPLICATION_NAME', 'x'.repeat(64)],
  ].map(([name, value]) => ({
    name: `${name}=${value!.slice(0, 20)}`,
    input: { url: URL_WITH_MARKER },
    env: { [name!]: value },
    field: name!,
  })),
];

function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('invalid config', () => {
  describe.each([
    ['resolveConfig', (input: unknown, env: Env) => resolveConfig(input as DatabaseConfig, env)],
    ['createDatabase', (input: unknown, env: Env) => createDatabase(input as DatabaseConfig, env)],
  ] as const)('%s', (_name, entry) => {
    it.each(INVALID)('refuses $name with a ConfigError naming $field, without the password', ({ input, env, field }) => {
      // A synchronous throw: nothing was returned, so no pool exists and nothing connected.
      const error = thrownBy(() => entry(input, env ?? {}));
      expect(error).toBeInstanceOf(ConfigError);
      expect(error).toBeInstanceOf(TododbError);
      const configError = error as ConfigError;
      expect(configError.code).toBe('CONFIG_INVALID');
      expect(configError.field).toBe(field);
      expect(configError.message.length).toBeGreaterThan(10);
      for (const shown of [
        configError.message,
        String(configError),
        JSON.stringify(configError),
        util.inspect(configError, { depth: 6 }),
        configError.stack ?? '',
      ]) {
        expect(shown).not.toContain(MARKER);
      }
    });
  });
});

describe('precedence: option > URL parameter > DATABASE_* env > default', () => {
  const BASE = 'postgres://app@db.example.com/app';
  type Row = {
    setting: string;
    read: (config: ResolvedConfig) => unknown;
    option?: DatabaseConfig;
    urlQuery?: string;
    env: Env;
    expected: { option?: unknown; url?: unknown; env: unknown; fallback: unknown };
  };
  const ROWS: Row[] = [
    {
      setting: 'pool.max',
      read: (c) => c.pool.max,
      option: { pool: { max: 3 } },
      env: { DATABASE_POOL_MAX: '7' },
      expected: { option: 3, env: 7, fallback: 10 },
    },
    {
      setting: 'pool.min',
      read: (c) => c.pool.min,
      option: { pool: { min: 1 } },
      env: { DATABASE_POOL_MIN: '2' },
      expected: { option: 1, env: 2, fallback: 0 },
    },
    {
      setting: 'pool.idleMs',
      read: (c) => c.pool.idleMs,
      option: { pool: { idleMs: 500 } },
      env: { DATABASE_POOL_IDLE_MS: '700' },
      expected: { option: 500, env: 700, fallback: 10_000 },
    },
    {
      setting: 'pool.acquireTimeoutMs',
      read: (c) => c.pool.acquireTimeoutMs,
      option: { pool: { acquireTimeoutMs: 800 } },
      env: { DATABASE_POOL_ACQUIRE_TIMEOUT_MS: '900' },
      expected: { option: 800, env: 900, fallback: 15_000 },
    },
    {
      setting: 'connectTimeoutMs',
      read: (c) => c.connectTimeoutMs,
      option: { connectTimeoutMs: 1234 },
      urlQuery: 'connect_timeout=3',
      env: { DATABASE_CONNECT_TIMEOUT_MS: '5000' },
      expected: { option: 1234, url: 3000, env: 5000, fallback: 10_000 },
    },
    {
      setting: 'statementTimeoutMs',
      read: (c) => c.statementTimeoutMs,
      option: { statementTimeoutMs: 0 },
      env: { DATABASE_STATEMENT_TIMEOUT_MS: '4000' },
      expected: { option: 0, env: 4000, fallback: 15_000 },
    },
    {
      setting: 'queryTimeoutMs',
      read: (c) => c.queryTimeoutMs,
      option: { queryTimeoutMs: 0 },
      env: { DATABASE_QUERY_TIMEOUT_MS: '6000' },
      expected: { option: 0, env: 6000, fallback: 20_000 },
    },
    {
      setting: 'applicationName',
      read: (c) => c.applicationName,
      option: { applicationName: 'from-option' },
      urlQuery: 'application_name=from-url',
      env: { DATABASE_APPLICATION_NAME: 'from-env' },
      expected: { option: 'from-option', url: 'from-url', env: 'from-env', fallback: 'tododb' },
    },
    {
      setting: 'ssl',
      read: (c) => c.ssl,
      option: { ssl: false },
      urlQuery: 'sslmode=require',
      env: { DATABASE_SSL: 'no-verify' },
      expected: { option: false, url: {}, env: { rejectUnauthorized: false }, fallback: false },
    },
    {
      setting: 'pgbouncer',
      read: (c) => c.pgbouncer,
      option: { pgbouncer: true },
      urlQuery: 'pgbouncer=false',
      env: { DATABASE_PGBOUNCER: 'true' },
      expected: { option: true, url: false, env: true, fallback: false },
    },
  ];

  it.each(ROWS)('$setting', ({ read, option, urlQuery, env, expected }) => {
    const url = urlQuery ? `${BASE}?${urlQuery}` : BASE;
    if (option) {
      expect(read(resolveConfig({ url, ...option }, env))).toEqual(expected.option);
    }
    if (urlQuery) {
      expect(read(resolveConfig({ url }, env))).toEqual(expected.url);
    }
    expect(read(resolveConfig({ url: BASE }, env))).toEqual(expected.env);
    expect(read(resolveConfig({ url: BASE }, {}))).toEqual(expected.fallback);
  });

  it('url: the option beats DATABASE_URL, which is used when the option is absent', () => {
    const env = { DATABASE_URL: 'postgres://envuser@env.example.com/envdb' };
    expect(resolveConfig({ url: 'postgres://app@db.example.com/app' }, env).connection).toMatchObject({
      user: 'app',
      host: 'db.example.com',
      database: 'app',
    });
    expect(resolveConfig({}, env).connection).toMatchObject({ user: 'envuser', host: 'env.example.com', database: 'envdb', port: 5432 });
    expect(resolveConfig(undefined, env).connection.database).toBe('envdb');
  });

  it('an explicit option makes a garbage env variable for the same setting irrelevant', () => {
    expect(resolveConfig({ url: BASE, pool: { max: 4 } }, { DATABASE_POOL_MAX: 'abc' }).pool.max).toBe(4);
  });

  it('an env number may have surrounding spaces, and an empty env variable counts as unset', () => {
    expect(resolveConfig({ url: BASE }, { DATABASE_POOL_MAX: ' 12 ' }).pool.max).toBe(12);
    expect(resolveConfig({ url: BASE }, { DATABASE_POOL_MAX: '' }).pool.max).toBe(10);
  });
});

describe('TLS from sslmode', () => {
  it.each([
    ['(none)', false],
    ['disable', false],
    ['allow', false],
    ['prefer', {}],
    ['require', {}],
    ['verify-ca', {}],
    ['verify-full', {}],
    ['no-verify', { rejectUnauthorized: false }],
  ] as const)('sslmode=%s gives ssl %j', (mode, expected) => {
    const url = mode === '(none)' ? 'postgres://app@db.example.com/app' : `postgres://app@db.example.com/app?sslmode=${mode}`;
    expect(resolveConfig({ url }, {}).ssl).toEqual(expected);
  });

  it.each([
    [true, {}],
    [false, false],
    ['no-verify', { rejectUnauthorized: false }],
    [
      { ca: 'PEM', servername: 'db' },
      { ca: 'PEM', servername: 'db' },
    ],
  ] as const)('the ssl option %j gives %j', (ssl, expected) => {
    expect(resolveConfig({ url: 'postgres://app@db.example.com/app?sslmode=verify-full', ssl }, {}).ssl).toEqual(expected);
  });
});

describe('pgbouncer detection', () => {
  it('detects a Neon pooler host', () => {
    const neon = 'postgres://app:secret@ep-cool-name-123-pooler.us-east-2.aws.neon.tech/neondb?sslmode=require';
    expect(resolveConfig({ url: neon }, {}).pgbouncer).toBe(true);
    expect(resolveConfig({ url: neon.replace('-pooler', '') }, {}).pgbouncer).toBe(false);
    // An explicit answer wins over the host name.
    expect(resolveConfig({ url: neon, pgbouncer: false }, {}).pgbouncer).toBe(false);
    expect(resolveConfig({ url: `${neon}&pgbouncer=false` }, {}).pgbouncer).toBe(false);
    expect(resolveConfig({ url: neon }, { DATABASE_PGBOUNCER: 'false' }).pgbouncer).toBe(false);
  });

  it('honours ?pgbouncer=true and DATABASE_PGBOUNCER=true on any host', () => {
    expect(resolveConfig({ url: 'postgres://app@db.example.com/app?pgbouncer=true' }, {}).pgbouncer).toBe(true);
    expect(resolveConfig({ url: 'postgres://app@db.example.com/app' }, { DATABASE_PGBOUNCER: 'true' }).pgbouncer).toBe(true);
    expect(resolveConfig({ url: 'postgres://app@db.example.com/app' }, {}).pgbouncer).toBe(false);
  });
});

describe('the password never shows', () => {
  const opened: Database[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((db) => db.close()));
  });

  it.each([
    ['a plain password', URL_WITH_MARKER, MARKER],
    ['a percent-encoded password', `postgres://app:${MARKER}%40%2F@db.example.com:5432/app?sslmode=require`, `${MARKER}@/`],
  ])('%s is kept for connecting but hidden from JSON, inspect and spreads', (_name, url, password) => {
    const resolved = resolveConfig({ url }, {});
    expect(resolved.connection.password?.()).toBe(password);
    for (const shown of [
      JSON.stringify(resolved),
      util.inspect(resolved, { depth: 10 }),
      JSON.stringify({ ...resolved.connection }),
      String(resolved.connection.redacted),
    ]) {
      expect(shown).not.toContain(MARKER);
    }
    expect(resolved.connection.redacted).toBe('postgres://app:***@db.example.com:5432/app');
  });

  it('is absent from the Database object a user may log', () => {
    const db = createDatabase({ url: URL_WITH_MARKER }, {});
    opened.push(db);
    expect(db.target).toBe('postgres://app:***@db.example.com:5432/app');
    for (const shown of [
      db.target,
      JSON.stringify(db.sequelize.config),
      util.inspect(db.sequelize.config, { depth: 6 }),
      util.inspect(db.sequelize.options, { depth: 4 }),
      util.inspect(db, { depth: 3 }),
    ]) {
      expect(shown).not.toContain(MARKER);
    }
  });

  it('is absent from the error of a database that cannot be reached', async () => {
    const db = createDatabase({ url: `postgres://app:${MARKER}@127.0.0.1:1/app`, connectTimeoutMs: 2000 }, {});
    opened.push(db);
    const error = translateError(await db.sequelize.query('SELECT 1').catch((e: unknown) => e));
    expect(error).toBeInstanceOf(DatabaseUnavailableError);
    for (const shown of [error.message, String(error), JSON.stringify(error), util.inspect(error, { depth: 10 })]) {
      expect(shown).not.toContain(MARKER);
    }
  });
});
