// `tododb health`, in-process, against a real PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './support/embeddedPostgres.js';
import { useSilentServer } from './support/silentServer.js';
import { createTestDatabase, type TestDatabase } from './support/testDatabase.js';
import { lines, runCli } from './fixtures/cli.js';

const MARKER = 'SECRET_MARKER_health';

describe('tododb health', () => {
  const silent = useSilentServer();
  let migrated: TestDatabase;
  let empty: TestDatabase;

  beforeAll(async () => {
    migrated = await createTestDatabase();
    empty = await createTestDatabase({ migrated: false });
  });
  afterAll(async () => {
    await migrated.drop();
    await empty.drop();
  });

  it('exits 0 and prints one summary line when the database is usable', async () => {
    const result = await runCli(['health', '--url', migrated.url]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(lines(result.stdout)).toHaveLength(1);
    expect(result.stdout).toMatch(/^ok {2}latency [\d.]+ ms {2}PostgreSQL \d+.* {2}migrations 3 applied, 0 pending\n$/);
  });

  it('prints the report as JSON with --json', async () => {
    const result = await runCli(['health', '--json', '--url', migrated.url]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'ok', migrations: { applied: 3, pending: 0 } });
  });

  it('exits 1 with the reason on stderr when migrations are pending', async () => {
    const result = await runCli(['health', '--url', empty.url]);
    expect(result.code).toBe(1);
    expect(lines(result.stderr)).toEqual(['tododb: unhealthy: 3 migration(s) pending: run `tododb migrate up`']);
  });

  it('exits 1 quickly, with one line and no password, when nothing listens', async () => {
    const port = await freePort();
    const started = Date.now();
    const result = await runCli(['health', '--json', '--url', `postgres://someone:${MARKER}@127.0.0.1:${port}/app`]);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'error' });
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stdout + result.stderr).not.toContain(MARKER);
  });

  it('bounds the whole check by --timeout on a host that accepts and never answers', async () => {
    const result = await runCli([
      'health',
      '--json',
      '--timeout',
      '300',
      '--url',
      `postgres://someone:${MARKER}@127.0.0.1:${silent.port}/app`,
    ]);
    expect(result.code).toBe(1);
    // The reason carries the bound that fired: --timeout, not the 2000 ms default.
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'error', reason: 'no answer within 300 ms' });
    expect(lines(result.stderr)).toEqual(['tododb: unhealthy: no answer within 300 ms']);
    expect(result.stdout + result.stderr).not.toContain(MARKER);
  });

  it('refuses a bad --timeout with exit 2 and a usage line', async () => {
    const result = await runCli(['health', '--timeout', 'soon', '--url', migrated.url]);
    expect(result.code).toBe(2);
    expect(lines(result.stderr)[1]).toMatch(/^Usage: tododb health/);
  });
});
