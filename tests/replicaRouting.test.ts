// The parts of read-replica routing that need no server: config, tokens, the breaker. The routing
// itself, against a real primary and streaming replica, is in replicas.test.ts (npm run test:replicas).
import { describe, expect, it } from 'vitest';
import { CircuitBreaker } from '../src/connection/CircuitBreaker.js';
import { decodeConsistencyToken, encodeConsistencyToken } from '../src/connection/ConsistencyToken.js';
import { formatLsn, parseLsn } from '../src/connection/Lsn.js';
import { PRIMARY_ONLY, WriteTokens } from '../src/connection/WriteTokens.js';
import { resolveConfig } from '../src/config/resolveConfig.js';
import { ConfigError, ValidationError } from '../src/index.js';

const URL = 'postgres://app:s3cret@primary.example.com/app';

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('replicaUrls', () => {
  it('reads replicaUrls, else DATABASE_REPLICA_URLS, comma-separated', () => {
    const fromOption = resolveConfig({ url: URL, replicaUrls: ['postgres://app:pw@r1.example.com/app'] }, {});
    expect(fromOption.replicas.map((r) => r.connection.host)).toEqual(['r1.example.com']);
    const fromEnv = resolveConfig(
      { url: URL },
      { DATABASE_REPLICA_URLS: 'postgres://app@r1.example.com/app, postgres://app@r2.example.com:6543/app' },
    );
    expect(fromEnv.replicas.map((r) => `${r.connection.host}:${r.connection.port}`)).toEqual([
      'r1.example.com:5432',
      'r2.example.com:6543',
    ]);
    expect(resolveConfig({ url: URL }, {}).replicas).toEqual([]);
  });

  it('names the replica at fault by its index, never printing the URL', () => {
    const error = configError(() =>
      resolveConfig({ url: URL, replicaUrls: ['postgres://app@r1.example.com/app', 'mysql://app:hunter2@r2.example.com/app'] }, {}),
    );
    expect(error.field).toBe('replicaUrls[1]');
    expect(error.message).not.toContain('hunter2');
    expect(error.message).not.toContain('r2.example.com');
    expect(configError(() => resolveConfig({ url: URL }, { DATABASE_REPLICA_URLS: 'postgres://a@h/db,,' })).field).toBe(
      'DATABASE_REPLICA_URLS[1]',
    );
    expect(configError(() => resolveConfig({ url: URL, replicaUrls: 'postgres://a@h/db' as never }, {})).field).toBe('replicaUrls');
  });

  it('refuses a pooled replica URL with a direct primary URL', () => {
    const error = configError(() => resolveConfig({ url: URL, replicaUrls: ['postgres://app@ep-x-pooler.eu.aws.neon.tech/app'] }, {}));
    expect(error.field).toBe('replicaUrls[0]');
  });

  it("takes each replica's TLS from its own sslmode", () => {
    const { replicas } = resolveConfig(
      { url: URL, replicaUrls: ['postgres://app@r1.example.com/app?sslmode=verify-full', 'postgres://app@r2.example.com/app'] },
      {},
    );
    expect(replicas[0]!.ssl).not.toBe(false);
    expect(replicas[1]!.ssl).toBe(false);
  });
});

describe('consistency tokens', () => {
  it('round-trips a WAL position and names nothing else', () => {
    const lsn = parseLsn('16/B374D848')!;
    expect(formatLsn(lsn)).toBe('16/B374D848');
    const token = encodeConsistencyToken(lsn);
    expect(token).toBe('v1.00000016b374d848');
    expect(decodeConsistencyToken(token)).toBe(lsn);
  });

  it('refuses anything else with a ValidationError naming the field', () => {
    for (const bad of ['', 'v1.123', 'v2.00000016b374d848', 'v1.00000016B374D848', 42, undefined]) {
      expect(() => decodeConsistencyToken(bad, 'token')).toThrow(ValidationError);
    }
  });
});

describe('WriteTokens', () => {
  it('keeps the newest position per user, except that a real one replaces PRIMARY_ONLY', () => {
    const tokens = new WriteTokens(10);
    tokens.record('a', 200n);
    tokens.record('a', 100n); // a concurrent write reporting late
    expect(tokens.required('a')).toBe(200n);
    tokens.record('a', PRIMARY_ONLY);
    expect(tokens.required('a')).toBe(PRIMARY_ONLY);
    expect(tokens.tokenOf('a')).toBeUndefined(); // never handed to another process
    tokens.record('a', 300n);
    expect(tokens.required('a')).toBe(300n);
    expect(tokens.required('b')).toBe(0n);
  });

  it('stays bounded, and a user pushed out still reads their write: the floor rises', () => {
    const tokens = new WriteTokens(2);
    tokens.record('a', 100n);
    tokens.record('b', 50n);
    tokens.record('c', 70n); // pushes out a
    expect(tokens.size).toBe(2);
    expect(tokens.required('a')).toBe(100n);
    expect(tokens.required('b')).toBe(100n);
    expect(tokens.required('someone else')).toBe(100n);
    tokens.record('d', PRIMARY_ONLY);
    tokens.record('e', 120n); // pushes out c
    tokens.record('f', 130n); // pushes out d, PRIMARY_ONLY: not a floor, which would pin everyone to the primary
    expect(tokens.required('someone else')).toBe(100n);
  });
});

describe('CircuitBreaker', () => {
  it('lets one probe through until the replica answered once, opens on failure, backs off, and closes on success', () => {
    let now = 0;
    const breaker = new CircuitBreaker({ initialBackoffMs: 1_000, maxBackoffMs: 4_000, now: () => now });
    expect(breaker.tryPass()).toBe(true);
    expect(breaker.tryPass()).toBe(false); // the first probe is still out
    breaker.failed();
    expect(breaker.state).toBe('open');
    expect(breaker.tryPass()).toBe(false);
    now = 1_000;
    expect(breaker.state).toBe('half-open');
    expect(breaker.tryPass()).toBe(true);
    expect(breaker.tryPass()).toBe(false);
    breaker.failed(); // the probe failed: twice as long
    now = 2_999;
    expect(breaker.state).toBe('open');
    now = 3_000;
    expect(breaker.tryPass()).toBe(true);
    breaker.succeeded();
    expect(breaker.state).toBe('closed');
    expect(breaker.tryPass()).toBe(true);
    expect(breaker.tryPass()).toBe(true);
  });
});
