// The `driver` setting, without a database: how it resolves, which settings the WebSocket driver
// refuses (and why), and what a user without @neondatabase/serverless installed is told. The
// driver itself, through a WebSocket proxy, is tested by tests/neon.test.ts (npm run test:neon).
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../src/config/resolveConfig.js';
import { ConfigError, type DatabaseConfig } from '../src/index.js';
import { loadDriver, requireDriverInstalled } from '../src/connection/loadDriver.js';

const URL_WITH_SECRET = 'postgres://app:s3cret_MARKER@ep-cool-123.eu-central-1.aws.neon.tech/app';

/** The ConfigError that resolving `input` with `env` throws. */
function refusal(input: DatabaseConfig, env: Record<string, string> = {}): ConfigError {
  try {
    resolveConfig(input, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).not.toContain('s3cret_MARKER');
    return error as ConfigError;
  }
  return expect.fail('expected a ConfigError');
}

describe('driver', () => {
  it("is 'pg' by default, else the option, else DATABASE_DRIVER", () => {
    expect(resolveConfig({ url: URL_WITH_SECRET }, {}).driver).toBe('pg');
    expect(resolveConfig({ url: URL_WITH_SECRET }, { DATABASE_DRIVER: 'neon-serverless' }).driver).toBe('neon-serverless');
    expect(resolveConfig({ url: URL_WITH_SECRET, driver: 'pg' }, { DATABASE_DRIVER: 'neon-serverless' }).driver).toBe('pg');
  });

  it('names the field of a driver it does not know, without echoing the value', () => {
    expect(refusal({ url: URL_WITH_SECRET, driver: 'mysql' as never })).toMatchObject({
      field: 'driver',
      message: "Expected `driver` to be 'pg' or 'neon-serverless'",
    });
    const fromEnv = refusal({ url: URL_WITH_SECRET }, { DATABASE_DRIVER: 'neon_typo' });
    expect(fromEnv).toMatchObject({ field: 'DATABASE_DRIVER' });
    expect(fromEnv.message).not.toContain('neon_typo');
  });

  it("takes a Neon URL with sslmode=require: the WebSocket's TLS provides it", () => {
    expect(resolveConfig({ url: `${URL_WITH_SECRET}?sslmode=require`, driver: 'neon-serverless' }, {})).toMatchObject({
      driver: 'neon-serverless',
      ssl: {},
    });
  });

  it('refuses channel_binding=require, which it cannot honour, and says what to do', () => {
    const error = refusal({ url: `${URL_WITH_SECRET}?sslmode=require&channel_binding=require`, driver: 'neon-serverless' });
    expect(error).toMatchObject({
      field: 'url',
      message: expect.stringMatching(
        /channel_binding=require.*cannot honour.*remove channel_binding=require from the URL, or use driver 'pg'/,
      ),
    });
    // With pg it is honoured as before.
    expect(resolveConfig({ url: `${URL_WITH_SECRET}?sslmode=require&channel_binding=require` }, {}).connection.channelBinding).toBe(true);
  });

  it('refuses TLS options that never reach the WebSocket, naming where they came from', () => {
    expect(refusal({ url: URL_WITH_SECRET, driver: 'neon-serverless', ssl: { ca: 'PEM' } })).toMatchObject({ field: 'ssl' });
    expect(refusal({ url: URL_WITH_SECRET, driver: 'neon-serverless', ssl: 'no-verify' })).toMatchObject({ field: 'ssl' });
    expect(refusal({ url: `${URL_WITH_SECRET}?sslmode=no-verify`, driver: 'neon-serverless' })).toMatchObject({ field: 'url' });
    expect(refusal({ url: URL_WITH_SECRET, driver: 'neon-serverless' }, { DATABASE_SSL: 'no-verify' })).toMatchObject({
      field: 'DATABASE_SSL',
    });
    const ca = join(tmpdir(), `tododb-driver-ca-${process.pid}.pem`);
    writeFileSync(ca, 'not really a certificate');
    expect(
      refusal({ url: `${URL_WITH_SECRET}?sslmode=verify-full&sslrootcert=${encodeURIComponent(ca)}`, driver: 'neon-serverless' }),
    ).toMatchObject({
      field: 'url',
      message: expect.stringContaining('neonConfig.webSocketConstructor'),
    });
  });
});

describe('without @neondatabase/serverless installed', () => {
  const missing = '@neondatabase/serverless-not-installed';

  it('is a ConfigError on driver that says what to install, at once and at the first connection', async () => {
    const check = () => requireDriverInstalled('neon-serverless', missing);
    expect(check).toThrow(ConfigError);
    expect(check).toThrow(
      expect.objectContaining({ field: 'driver', message: expect.stringContaining('npm install @neondatabase/serverless ws') }),
    );
    await expect(loadDriver('neon-serverless', missing)).rejects.toMatchObject({
      field: 'driver',
      message: expect.stringContaining('npm install @neondatabase/serverless ws'),
    });
    // pg never needs it.
    expect(() => requireDriverInstalled('pg', missing)).not.toThrow();
  });
});
