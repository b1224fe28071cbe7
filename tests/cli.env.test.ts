// Where the CLI takes its settings from: the environment, the .env files of the working
// directory (or --env-file), and which URL variable each command reads. In-process via
// run(argv, io), with io.env and io.cwd of the test's own; cli.process.test.ts runs it as a
// child process once.
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Env } from '../src/index.js';
import { freePort } from './support/embeddedPostgres.js';
import { useDatabaseCopy } from './support/testDatabase.js';
import { emptyDir, lines, removeEmptyDirs, runCli } from './fixtures/cli.js';

const MARKER = 'SECRET_MARKER_env';

afterAll(removeEmptyDirs);

/** Writes `files` (name → content) into `dir`, making folders as needed. */
function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
}

describe('tododb settings from .env files and the environment', () => {
  const testDb = useDatabaseCopy();
  let closedPort: number;
  beforeAll(async () => {
    closedPort = await freePort();
  });
  // A URL on a port where nothing listens: the command fails at once and names the database
  // it tried, which tells the test which setting won.
  const nowhere = (database: string) => `postgres://postgres@127.0.0.1:${closedPort}/${database}`;

  /** The database `migrate status` tried to reach, read from its one-line failure. */
  async function triedDatabase(argv: string[], options: { cwd: string; env?: Env }): Promise<string> {
    const result = await runCli(['migrate', 'status', ...argv], options);
    expect(result.code, result.stderr).toBe(1);
    expect(lines(result.stderr)).toHaveLength(1);
    return /\/(\w+)\)$/.exec(result.stderr.trim())?.[1] ?? `(no database named in: ${result.stderr})`;
  }

  it('reads .env, .env.local, .env.$NODE_ENV and .env.$NODE_ENV.local, each overriding the one before', async () => {
    const cwd = emptyDir();
    const files = {
      '.env': `DATABASE_URL=${nowhere('from_env')}\n`,
      '.env.local': `DATABASE_URL=${nowhere('from_env_local')}\n`,
      '.env.staging': `DATABASE_URL=${nowhere('from_env_staging')}\n`,
      '.env.staging.local': `DATABASE_URL=${nowhere('from_env_staging_local')}\n`,
    };
    writeFiles(cwd, files);
    const staging = { NODE_ENV: 'staging' };
    expect(await triedDatabase([], { cwd, env: staging })).toBe('from_env_staging_local');
    rmSync(join(cwd, '.env.staging.local'));
    expect(await triedDatabase([], { cwd, env: staging })).toBe('from_env_staging');
    rmSync(join(cwd, '.env.staging'));
    expect(await triedDatabase([], { cwd, env: staging })).toBe('from_env_local');
    rmSync(join(cwd, '.env.local'));
    expect(await triedDatabase([], { cwd, env: staging })).toBe('from_env');

    // Without NODE_ENV, the files of an environment are not read.
    writeFiles(cwd, files);
    expect(await triedDatabase([], { cwd })).toBe('from_env_local');
    expect(await triedDatabase([], { cwd, env: { NODE_ENV: 'production' } })).toBe('from_env_local');
  });

  it('merges the files variable by variable: a later file overrides only what it sets', async () => {
    const cwd = emptyDir();
    writeFiles(cwd, {
      '.env': `DATABASE_URL=${testDb.url}\nMIGRATION_DATABASE_URL=${nowhere('direct_from_env')}\n`,
      '.env.production': `MIGRATION_DATABASE_URL=${nowhere('direct_from_env_production')}\n`,
    });
    const env = { NODE_ENV: 'production' };
    expect(await runCli(['health'], { cwd, env })).toMatchObject({ code: 0, stderr: '' });
    expect(await triedDatabase([], { cwd, env })).toBe('direct_from_env_production');
  });

  it('lets a variable set in the environment win over every file', async () => {
    const cwd = emptyDir();
    writeFiles(cwd, {
      '.env': `DATABASE_URL=${nowhere('from_env')}\n`,
      '.env.local': `DATABASE_URL=${nowhere('from_env_local')}\n`,
      '.env.test': `DATABASE_URL=${nowhere('from_env_test')}\n`,
      '.env.test.local': `DATABASE_URL=${nowhere('from_env_test_local')}\n`,
    });
    const result = await runCli(['migrate', 'status', '--json'], { cwd, env: { NODE_ENV: 'test', DATABASE_URL: testDb.url } });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(result.stdout)).toMatchObject({ pending: [] });
    // Also over a file's MIGRATION_DATABASE_URL, which migrate commands prefer.
    writeFiles(cwd, { '.env.test.local': `MIGRATION_DATABASE_URL=${nowhere('direct_from_file')}\n` });
    expect(await triedDatabase([], { cwd, env: { NODE_ENV: 'test', MIGRATION_DATABASE_URL: nowhere('direct_from_environment') } })).toBe(
      'direct_from_environment',
    );
  });

  it('--env-file reads the files it names instead of the default ones, in the order given', async () => {
    const cwd = emptyDir();
    writeFiles(cwd, {
      '.env': `MIGRATION_DATABASE_URL=${nowhere('default_env')}\n`,
      'a.env': `DATABASE_URL=${nowhere('from_a')}\n`,
      'config/b.env': `DATABASE_URL=${nowhere('from_b')}\n`,
    });
    expect(await triedDatabase([], { cwd })).toBe('default_env');
    expect(await triedDatabase(['--env-file', 'a.env'], { cwd })).toBe('from_a');
    expect(await triedDatabase(['--env-file', 'a.env', '--env-file', 'config/b.env'], { cwd })).toBe('from_b');
    expect(await triedDatabase(['--env-file', join(cwd, 'config/b.env'), '--env-file=a.env'], { cwd })).toBe('from_a');

    // The environment still wins over the named files.
    const result = await runCli(['migrate', 'status', '--env-file', 'a.env'], { cwd, env: { DATABASE_URL: testDb.url } });
    expect(result).toMatchObject({ code: 0, stderr: '' });
  });

  it('refuses an --env-file that does not exist with exit 2, naming it', async () => {
    const cwd = emptyDir();
    writeFiles(cwd, { 'a.env': `DATABASE_URL=${testDb.url}\n` });
    const result = await runCli(['migrate', 'up', '--env-file', 'a.env', '--env-file', 'missing.env'], { cwd });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(lines(result.stderr)).toEqual([
      'tododb: --env-file missing.env: no such file',
      expect.stringMatching(/^Usage: tododb migrate up /),
    ]);

    mkdirSync(join(cwd, 'folder'));
    const folder = await runCli(['health', '--env-file', 'folder'], { cwd });
    expect(folder.code).toBe(1);
    expect(lines(folder.stderr)).toEqual(['tododb: Could not read folder: EISDIR']);
  });

  it('never prints a value read from a file, with or without --verbose', async () => {
    const cwd = emptyDir();
    writeFiles(cwd, {
      '.env': `DATABASE_URL=postgres://postgres:${MARKER}@127.0.0.1:${closedPort}/x\n`,
      '.env.local': `DATABASE_POOL_MAX=${MARKER}\nDATABASE_CONNECT_TIMEOUT_MS=${MARKER}\n`,
    });
    for (const command of [
      ['migrate', 'up'],
      ['migrate', 'status', '--json'],
      ['health', '--json'],
    ]) {
      for (const verbose of [[], ['--verbose']]) {
        const result = await runCli([...command, ...verbose], { cwd });
        expect(result.code).toBe(1);
        expect(lines(result.stderr)[0]).toBe('tododb: Expected `DATABASE_POOL_MAX` to be a positive integer of at most 2147483647');
        expect(result.stdout + result.stderr).not.toContain(MARKER);
      }
    }
    rmSync(join(cwd, '.env.local'));
    for (const command of [
      ['migrate', 'up'],
      ['health', '--json'],
    ]) {
      const result = await runCli([...command, '--verbose'], { cwd });
      expect(result.code).toBe(1);
      expect(result.stdout + result.stderr).not.toContain(MARKER);
    }
  });
});

describe('tododb migrate and MIGRATION_DATABASE_URL', () => {
  const testDb = useDatabaseCopy({ migrated: false });

  it('migrates through MIGRATION_DATABASE_URL while health uses DATABASE_URL, and --url wins over both', async () => {
    const closed = `postgres://postgres@127.0.0.1:${await freePort()}`;
    // Neon's layout: the application on the pooled URL, migrations on the direct one.
    const direct = { MIGRATION_DATABASE_URL: testDb.url, DATABASE_URL: `${closed}/pooled` };
    const up = await runCli(['migrate', 'up'], { env: direct });
    expect(up).toMatchObject({ code: 0, stderr: '' });
    expect(up.stdout).toMatch(/none pending\.\n$/);
    expect((await runCli(['health'], { env: direct })).code).toBe(1);

    const pooled = { MIGRATION_DATABASE_URL: `${closed}/direct`, DATABASE_URL: testDb.url };
    expect(await runCli(['health'], { env: pooled })).toMatchObject({ code: 0, stderr: '' });
    const status = await runCli(['migrate', 'status'], { env: pooled });
    expect(status.code).toBe(1);
    expect(lines(status.stderr)).toEqual([expect.stringMatching(/^tododb: The database is unavailable: .*\/direct\)$/)]);

    const overridden = await runCli(['migrate', 'status', '--json', '--url', testDb.url], { env: pooled });
    expect(overridden).toMatchObject({ code: 0, stderr: '' });
  });
});
