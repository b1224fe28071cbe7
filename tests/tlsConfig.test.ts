// How TLS and the libpq URL parameters tododb honours (sslnegotiation, sslrootcert, options,
// channel_binding) resolve, and every combination that is refused. No server needed; what
// reaches a real one is proven in tls.test.ts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config/resolveConfig.js';
import { ConfigError, type DatabaseConfig, type Env } from '../src/index.js';

const MARKER = 'v4lue_MARKER_x';
const BASE = `postgres://app:${MARKER}@db.example.com:5432/app`;

const dir = mkdtempSync(join(tmpdir(), 'tododb-tls-config-'));
const caFile = join(dir, 'ca.pem');
writeFileSync(caFile, '-----BEGIN CERTIFICATE-----\nnot a real one\n-----END CERTIFICATE-----\n');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function configError(input: DatabaseConfig, env: Env = {}): ConfigError {
  try {
    resolveConfig(input, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

/** Every refused combination, with the field the error must name. The value never shows. */
const REFUSED: { name: string; input: DatabaseConfig; env?: Env; field: string; says: RegExp }[] = [
  {
    name: 'sslnegotiation=direct with sslmode=disable',
    input: { url: `${BASE}?sslmode=disable&sslnegotiation=direct` },
    field: 'url',
    says: /sslnegotiation=direct.*sslmode=disable/,
  },
  {
    name: 'sslnegotiation=direct with sslmode=allow',
    input: { url: `${BASE}?sslmode=allow&sslnegotiation=direct` },
    field: 'url',
    says: /needs TLS/,
  },
  { name: 'sslnegotiation=direct without any sslmode', input: { url: `${BASE}?sslnegotiation=direct` }, field: 'url', says: /needs TLS/ },
  {
    name: 'sslnegotiation=direct with `ssl: false`',
    input: { url: `${BASE}?sslmode=require&sslnegotiation=direct`, ssl: false },
    field: 'url',
    says: /`ssl: false`/,
  },
  {
    name: 'sslnegotiation=direct in DATABASE_URL with DATABASE_SSL=false',
    input: {},
    env: { DATABASE_URL: `${BASE}?sslnegotiation=direct`, DATABASE_SSL: 'false' },
    field: 'DATABASE_URL',
    says: /needs TLS/,
  },
  {
    name: 'an unknown sslnegotiation',
    input: { url: `${BASE}?sslmode=require&sslnegotiation=${MARKER}` },
    field: 'url',
    says: /unknown sslnegotiation/,
  },
  {
    name: 'channel_binding=require with sslmode=disable',
    input: { url: `${BASE}?sslmode=disable&channel_binding=require` },
    field: 'url',
    says: /channel_binding=require.*needs TLS/,
  },
  {
    name: 'channel_binding=require without any sslmode',
    input: { url: `${BASE}?channel_binding=require` },
    field: 'url',
    says: /needs TLS/,
  },
  {
    name: 'channel_binding=require with `ssl: false`',
    input: { url: `${BASE}?sslmode=require&channel_binding=require`, ssl: false },
    field: 'url',
    says: /needs TLS/,
  },
  {
    name: 'sslrootcert with sslmode=disable',
    input: { url: `${BASE}?sslmode=disable&sslrootcert=${caFile}` },
    field: 'url',
    says: /sslrootcert.*TLS is off/,
  },
  {
    name: 'sslrootcert with sslmode=no-verify',
    input: { url: `${BASE}?sslmode=no-verify&sslrootcert=${caFile}` },
    field: 'url',
    says: /no-verify/,
  },
  {
    name: 'sslrootcert naming a missing file',
    input: { url: `${BASE}?sslmode=verify-full&sslrootcert=${join(dir, MARKER)}` },
    field: 'url',
    says: /Could not read the sslrootcert file.*ENOENT/,
  },
  { name: 'an empty sslrootcert', input: { url: `${BASE}?sslmode=verify-full&sslrootcert=` }, field: 'url', says: /empty sslrootcert/ },
  {
    name: 'options through PgBouncer (?pgbouncer=true)',
    input: { url: `${BASE}?pgbouncer=true&options=-c%20work_mem%3D${MARKER}` },
    field: 'url',
    says: /PgBouncer/,
  },
  {
    name: 'options through a Neon pooler host',
    input: { url: `postgres://app:${MARKER}@ep-x-1-pooler.eu-central-1.aws.neon.tech/app?options=-c%20work_mem%3D${MARKER}` },
    field: 'url',
    says: /PgBouncer/,
  },
  {
    name: 'options with `pgbouncer: true`',
    input: { url: `${BASE}?options=-c%20work_mem%3D${MARKER}`, pgbouncer: true },
    field: 'url',
    says: /PgBouncer/,
  },
  {
    name: 'options with DATABASE_PGBOUNCER=true',
    input: { url: `${BASE}?options=-c%20work_mem%3D${MARKER}` },
    env: { DATABASE_PGBOUNCER: 'true' },
    field: 'url',
    says: /PgBouncer/,
  },
  {
    name: 'options setting statement_timeout',
    input: { url: `${BASE}?options=-c%20statement_timeout%3D${MARKER}` },
    field: 'url',
    says: /statement_timeout.*statementTimeoutMs/,
  },
  {
    name: 'options setting --statement-timeout',
    input: { url: `${BASE}?options=--statement-timeout%3D${MARKER}` },
    field: 'url',
    says: /statement_timeout/,
  },
  {
    name: 'options setting -cApplication_Name',
    input: { url: `${BASE}?options=-cApplication_Name%3D${MARKER}` },
    field: 'url',
    says: /application_name/,
  },
  {
    name: 'options setting client_encoding',
    input: { url: `${BASE}?options=-c%20client_encoding%3D${MARKER}` },
    field: 'url',
    says: /client_encoding/,
  },
  {
    name: 'options setting DateStyle',
    input: { url: `${BASE}?options=-c%20DateStyle%3D${MARKER}` },
    field: 'url',
    says: /datestyle.*ISO/,
  },
  { name: "Neon's endpoint= in options", input: { url: `${BASE}?options=endpoint%3D${MARKER}` }, field: 'url', says: /only -c name=value/ },
  {
    name: 'a server switch other than -c in options',
    input: { url: `${BASE}?options=-d%20${MARKER}` },
    field: 'url',
    says: /only -c name=value/,
  },
  { name: 'a -c without a setting in options', input: { url: `${BASE}?options=-c` }, field: 'url', says: /only -c name=value/ },
  { name: 'an empty options', input: { url: `${BASE}?options=%20` }, field: 'url', says: /empty options/ },
];

describe('refused TLS settings and URL parameters', () => {
  it.each(REFUSED)('$name: a ConfigError naming `$field`, without the value', ({ input, env, field, says }) => {
    const error = configError(input, env);
    expect(error.field).toBe(field);
    expect(error.message).toMatch(says);
    expect(error.message).not.toContain(MARKER);
    expect(error.message).not.toContain('db.example.com');
  });
});

describe('accepted TLS settings and URL parameters', () => {
  it('sslnegotiation=direct with a TLS sslmode is kept for every connection', () => {
    for (const sslmode of ['require', 'verify-ca', 'verify-full', 'no-verify', 'prefer']) {
      expect(resolveConfig({ url: `${BASE}?sslmode=${sslmode}&sslnegotiation=direct` }, {}).connection.sslnegotiation).toBe('direct');
    }
    expect(resolveConfig({ url: `${BASE}?sslnegotiation=direct` }, { DATABASE_SSL: 'true' }).connection.sslnegotiation).toBe('direct');
    expect(resolveConfig({ url: `${BASE}?sslnegotiation=direct`, ssl: { ca: 'PEM' } }, {}).connection.sslnegotiation).toBe('direct');
  });

  it('sslrootcert gives the file as the CA; `system` keeps the system CAs', () => {
    expect(resolveConfig({ url: `${BASE}?sslmode=verify-full&sslrootcert=${caFile}` }, {}).ssl).toEqual({
      ca: expect.stringContaining('BEGIN CERTIFICATE'),
    });
    expect(resolveConfig({ url: `${BASE}?sslmode=require&sslrootcert=system` }, {}).ssl).toEqual({});
    expect(resolveConfig({ url: `${BASE}?sslrootcert=${caFile}` }, { DATABASE_SSL: 'true' }).ssl).toMatchObject({ ca: expect.any(String) });
  });

  it('an explicit `ssl` object is used as given, whatever the URL says', () => {
    const ssl = { ca: 'PEM', servername: 'db' };
    for (const query of [
      'sslmode=no-verify',
      'sslmode=disable',
      `sslmode=verify-full&sslrootcert=${caFile}`,
      'sslmode=allow&sslnegotiation=direct',
    ]) {
      expect(resolveConfig({ url: `${BASE}?${query}`, ssl }, {}).ssl).toBe(ssl);
    }
    expect(ssl).toEqual({ ca: 'PEM', servername: 'db' });
  });

  it('options with -c settings are passed on exactly as written', () => {
    const options = String.raw`-c work_mem=64MB --search-path=app -csearch_path=my\ schema`;
    expect(resolveConfig({ url: `${BASE}?options=${encodeURIComponent(options)}` }, {}).connection.options).toBe(options);
  });
});
