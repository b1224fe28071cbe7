// The built CLI (`node dist/cli.js`) as a user runs it: a real process, its exit code, its output.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { INDEXES } from '../src/schema/names.js';
import { freePort } from './support/embeddedPostgres.js';
import { useDatabaseCopy } from './support/testDatabase.js';
import {
  ALL_MIGRATIONS,
  cleanEnv,
  emptyDir,
  lines,
  removeEmptyDirs,
  query,
  recordedMigrations,
  runBuiltCli,
  tableNames,
} from './fixtures/cli.js';

const MARKER = 'SECRET_MARKER_123';

// The CLI of the package lane's one build of this run (tests/support/buildPackage.ts).
afterAll(removeEmptyDirs);

describe('node dist/cli.js', () => {
  const testDb = useDatabaseCopy({ migrated: false });

  it('prints help from any folder', async () => {
    const result = await runBuiltCli(['--help'], { cwd: emptyDir(), env: cleanEnv() });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain('migrate status [--json]');
  });

  it('exits 2 on an unknown command and 1 on an unreachable database, with one line and no stack', async () => {
    const usage = await runBuiltCli(['frobnicate'], { cwd: emptyDir(), env: cleanEnv() });
    expect(usage.code).toBe(2);
    expect(lines(usage.stderr)[0]).toBe('tododb: unknown command "frobnicate"');

    const port = await freePort();
    const unreachable = await runBuiltCli(['migrate', 'up', '--url', `postgres://postgres:${MARKER}@127.0.0.1:${port}/x`], {
      cwd: emptyDir(),
      env: cleanEnv(),
    });
    expect(unreachable.code).toBe(1);
    expect(unreachable.ms).toBeLessThan(10_000);
    expect(lines(unreachable.stderr)).toEqual([expect.stringMatching(/^tododb: The database is unavailable: ECONNREFUSED/)]);
    expect(unreachable.stdout + unreachable.stderr).not.toContain(MARKER);
  });

  it('reads the .env files of the working folder in order, and a variable set in the environment wins', async () => {
    const cwd = emptyDir();
    const closedPort = await freePort();
    writeFileSync(join(cwd, '.env'), `# written by the test\nDATABASE_URL=postgres://postgres@127.0.0.1:${closedPort}/from_dotenv\n`);
    writeFileSync(join(cwd, '.env.production.local'), `MIGRATION_DATABASE_URL=${testDb.url}\n`);
    const production = cleanEnv({ NODE_ENV: 'production' });

    const up = await runBuiltCli(['migrate', 'up'], { cwd, env: production });
    expect(up.stderr).toBe('');
    expect(up.code).toBe(0);
    expect(lines(up.stdout)).toHaveLength(ALL_MIGRATIONS.length + 1);
    expect(await recordedMigrations(testDb.url)).toEqual(ALL_MIGRATIONS);

    // Without NODE_ENV=production its files are not read: .env alone names a closed port.
    const development = await runBuiltCli(['migrate', 'status'], { cwd, env: cleanEnv({ NODE_ENV: 'development' }) });
    expect(development.code).toBe(1);
    expect(development.stderr).toContain(`127.0.0.1:${closedPort}/from_dotenv`);

    const port = await freePort();
    const overridden = await runBuiltCli(['migrate', 'status'], {
      cwd,
      env: cleanEnv({ NODE_ENV: 'production', MIGRATION_DATABASE_URL: `postgres://postgres:${MARKER}@127.0.0.1:${port}/from_env` }),
    });
    expect(overridden.code).toBe(1);
    expect(overridden.stderr).toContain(`127.0.0.1:${port}/from_env`);
    expect(overridden.stderr).not.toContain(MARKER);

    writeFileSync(join(cwd, 'ci.env'), `DATABASE_URL=${testDb.url}\n`);
    const status = await runBuiltCli(['migrate', 'status', '--json', '--env-file', 'ci.env'], { cwd, env: cleanEnv() });
    expect(status.stderr).toBe('');
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toEqual({ executed: ALL_MIGRATIONS, pending: [], changed: [] });

    // Node itself (20 to at least 26) checks an `--env-file` that follows the script name and
    // stops before tododb runs when it is missing; either way the run fails naming the file.
    const missing = await runBuiltCli(['migrate', 'status', '--env-file', 'missing.env'], { cwd, env: cleanEnv() });
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('missing.env');
    // The process ends once its work is done: a pool left open would keep it alive until its
    // idle connections time out (10 s by default).
    expect(status.ms).toBeLessThan(8_000);
  });
});

describe('three `tododb migrate up` processes at once on one empty database', () => {
  const testDb = useDatabaseCopy({ migrated: false });

  it('all succeed and each migration is applied exactly once', async () => {
    const results = await Promise.all(
      [1, 2, 3].map(() => runBuiltCli(['migrate', 'up', '--url', testDb.url], { cwd: emptyDir(), env: cleanEnv() })),
    );
    for (const result of results) {
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
    }
    const output = results.map((result) => result.stdout).join('');
    for (const name of ALL_MIGRATIONS) {
      // Exactly one process applied it; any other one saw it done and said so.
      expect(output.match(new RegExp(`^applied +${name} `, 'gm')), output).toHaveLength(1);
    }
    expect(await recordedMigrations(testDb.url)).toEqual(ALL_MIGRATIONS);
    expect(await tableNames(testDb.url)).toEqual(['tasks', 'tododb_migrations', 'users']);
    const indexes = await query<{ count: string }>(
      testDb.url,
      `SELECT count(*) FROM pg_indexes WHERE tablename = 'tasks' AND indexname = '${INDEXES.tasksByUser.name}'`,
    );
    expect(indexes[0]?.count).toBe('1');
  });
});
