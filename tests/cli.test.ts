// The CLI's run(argv, io) core, in-process, against real PostgreSQL databases of its own.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INDEXES } from '../src/schema/names.js';
import { freePort } from './support/embeddedPostgres.js';
import { useSilentServer } from './support/silentServer.js';
import { useDatabaseCopy } from './support/testDatabase.js';
import {
  ALL_MIGRATIONS,
  REPO_ROOT,
  emptyDir,
  lines,
  removeEmptyDirs,
  query,
  recordedMigrations,
  runCli,
  tableNames,
} from './fixtures/cli.js';

const [FIRST, SECOND] = ALL_MIGRATIONS as [string, string];
const MARKER = 'SECRET_MARKER_123';

afterAll(removeEmptyDirs);

describe('tododb help and usage', () => {
  it('prints help listing every migrate command and exits 0, for -h and --help at any level', async () => {
    for (const argv of [['--help'], ['-h'], ['migrate', '--help'], ['migrate', 'up', '-h'], ['migrate', 'status', '--help']]) {
      const result = await runCli(argv);
      expect(result, argv.join(' ')).toMatchObject({ code: 0, stderr: '' });
      expect(result.stdout).toMatch(/^Usage: tododb/m);
    }
    const main = await runCli(['--help']);
    expect(main.stdout).toContain('migrate up [--to NAME]');
    expect(main.stdout).toContain('migrate down [--to NAME|0]');
    expect(main.stdout).toContain('migrate status [--json]');
    expect((await runCli(['migrate', 'status', '-h'])).stdout).toContain('--json');
    // The global options, and where settings come from.
    expect(main.stdout).toMatch(/^ {2}--env-file PATH {2,}Load this file instead of the default \.env files/m);
    expect(main.stdout).toMatch(/^ {2}--timeout MS {2,}Give up connecting after MS milliseconds/m);
    expect(main.stdout).toContain('.env, .env.local, .env.$NODE_ENV and\n.env.$NODE_ENV.local');
    expect(main.stdout).toContain('MIGRATION_DATABASE_URL (migrate and roles commands only)');
  });

  it('prints the package version', async () => {
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(await runCli(['--version'])).toMatchObject({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it.each([
    [['frobnicate'], 'tododb: unknown command "frobnicate"'],
    [[], 'tododb: missing command'],
    [['migrate'], 'tododb: "migrate" needs a subcommand'],
    [['migrate', 'sideways'], 'tododb: unknown command "migrate sideways"'],
    [['migrate', 'up', '--json'], 'tododb: --json is not an option of "tododb migrate up"'],
    [['migrate', 'status', '--bogus'], "tododb: Unknown option '--bogus'"],
    [['migrate', 'up', '--to'], "tododb: Option '--to <value>' argument missing"],
    [['migrate', 'up', 'extra'], 'tododb: unexpected argument "extra"'],
  ])('refuses %j with exit 2, the reason and a usage line', async (argv, reason) => {
    const result = await runCli(argv);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const [first, second, ...rest] = lines(result.stderr);
    expect(first).toBe(reason);
    expect(second).toMatch(/^Usage: tododb /);
    expect(rest).toEqual([]);
  });
});

describe('tododb migrate on an empty database', () => {
  const testDb = useDatabaseCopy({ migrated: false });

  const status = async () => {
    const result = await runCli(['migrate', 'status', '--json', '--url', testDb.url]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    return JSON.parse(result.stdout) as unknown;
  };

  it('goes up step by step, down one, down to 0, reporting each migration with its duration', async () => {
    expect(await status()).toEqual({ executed: [], pending: ALL_MIGRATIONS, changed: [] });

    const first = await runCli(['migrate', 'up', '--to', FIRST, '--url', testDb.url]);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(lines(first.stdout)[0]).toMatch(new RegExp(`^applied +${FIRST} +\\d+ ms$`));
    expect(first.stdout).toMatch(
      new RegExp(`Applied 1 migration to postgres://postgres.*${ALL_MIGRATIONS.length - 1} migrations still pending\\.\\n$`),
    );
    expect(await status()).toEqual({ executed: [FIRST], pending: ALL_MIGRATIONS.slice(1), changed: [] });

    const human = await runCli(['migrate', 'status', '--url', testDb.url]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(
      new RegExp(`Applied \\(1\\):\n  ${FIRST} +\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z  tododb\nPending \\(2\\):\n  ${SECOND} +tododb\n`),
    );

    const rest = await runCli(['migrate', 'up', '--url', testDb.url]);
    expect(rest.code).toBe(0);
    expect(lines(rest.stdout).slice(0, -1)).toEqual(
      ALL_MIGRATIONS.slice(1).map((name) => expect.stringMatching(new RegExp(`^applied +${name} +\\d+ ms$`))),
    );
    expect(rest.stdout).toMatch(/none pending\.\n$/);
    expect(await tableNames(testDb.url)).toEqual(['tasks', 'tododb_migrations', 'users']);

    const again = await runCli(['migrate', 'up', '--url', testDb.url]);
    expect(again.code).toBe(0);
    expect(lines(again.stdout)).toEqual([expect.stringMatching(/^Nothing to apply to .*; none pending\.$/)]);

    const down = await runCli(['migrate', 'down', '--to', SECOND, '--url', testDb.url]);
    expect(down.code).toBe(0);
    expect(lines(down.stdout)).toEqual([
      ...ALL_MIGRATIONS.slice(1)
        .reverse()
        .map((name) => expect.stringMatching(new RegExp(`^reverted +${name} +\\d+ ms$`))),
      expect.stringMatching(/^Reverted /),
    ]);
    expect(await tableNames(testDb.url)).toEqual(['tododb_migrations', 'users']);

    const all = await runCli(['migrate', 'down', '--to', '0', '--url', testDb.url]);
    expect(all.code).toBe(0);
    expect(lines(all.stdout)[0]).toMatch(new RegExp(`^reverted +${FIRST} +\\d+ ms$`));
    expect(all.stdout).toMatch(/none still applied\.\n$/);
    expect(await status()).toEqual({ executed: [], pending: ALL_MIGRATIONS, changed: [] });
    expect(await tableNames(testDb.url)).toEqual(['tododb_migrations']);

    const nothing = await runCli(['migrate', 'down', '--url', testDb.url]);
    expect(nothing.code).toBe(0);
    expect(nothing.stdout).toMatch(/^Nothing to revert/);

    // down --to NAME reverts down to and including NAME.
    expect((await runCli(['migrate', 'up', '--url', testDb.url])).code).toBe(0);
    const toFirst = await runCli(['migrate', 'down', '--to', FIRST, '--url', testDb.url]);
    expect(toFirst.code).toBe(0);
    expect(await status()).toEqual({ executed: [], pending: ALL_MIGRATIONS, changed: [] });
  });

  it('prints exactly {"executed":[…],"pending":[…],"changed":[…]} for status --json', async () => {
    const result = await runCli(['migrate', 'status', '--json', '--url', testDb.url]);
    expect(result.stdout).toBe(`${JSON.stringify({ executed: [], pending: ALL_MIGRATIONS, changed: [] })}\n`);
  });

  it('refuses an unknown migration name with one line, applying nothing', async () => {
    for (const direction of ['up', 'down']) {
      const result = await runCli(['migrate', direction, '--to', 'no-such-migration', '--url', testDb.url]);
      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(lines(result.stderr)).toEqual([`tododb: Unknown migration "no-such-migration" (known: ${ALL_MIGRATIONS.join(', ')})`]);
    }
    expect(await status()).toEqual({ executed: [], pending: ALL_MIGRATIONS, changed: [] });
  });

  it('takes DATABASE_URL from the environment, and --url over it', async () => {
    const closed = `postgres://postgres@127.0.0.1:${await freePort()}/nowhere`;
    expect((await runCli(['migrate', 'status', '--json'], { env: { DATABASE_URL: testDb.url } })).code).toBe(0);
    expect((await runCli(['migrate', 'status', '--json', '--url', testDb.url], { env: { DATABASE_URL: closed } })).code).toBe(0);
    const fromEnv = await runCli(['migrate', 'status'], { env: { DATABASE_URL: closed } });
    expect(fromEnv.code).toBe(1);
    expect(fromEnv.stderr).toContain('/nowhere');
  });

  it('says in one line where it looked when no database URL is given', async () => {
    const cwd = emptyDir();
    const migrate = await runCli(['migrate', 'status'], { cwd });
    expect(migrate.code).toBe(1);
    expect(lines(migrate.stderr)).toEqual([
      `tododb: No database URL: pass --url, or set MIGRATION_DATABASE_URL or DATABASE_URL in the environment or a .env file (looked in ${cwd} for .env, .env.local: none found)`,
    ]);

    writeFileSync(join(cwd, '.env.local'), 'DATABASE_POOL_MAX=5\n');
    const health = await runCli(['health'], { cwd, env: { NODE_ENV: 'test' } });
    expect(health.code).toBe(1);
    expect(lines(health.stderr)).toEqual([
      `tododb: No database URL: pass --url, or set DATABASE_URL in the environment or a .env file (looked in ${cwd} for .env, .env.local, .env.test, .env.test.local: read .env.local)`,
    ]);
  });
});

describe('tododb migrate when a migration fails', () => {
  const testDb = useDatabaseCopy({ migrated: false });

  beforeAll(async () => {
    // 0002 creates `tasks`, then an index of this name: the name is taken, so it fails part-way.
    await query(testDb.url, `CREATE TABLE ${INDEXES.tasksByUser.name} (id int)`);
  });

  it('exits 1 naming the migration, keeps the ones before it and rolls back the failed one', async () => {
    const result = await runCli(['migrate', 'up', '--url', testDb.url]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(new RegExp(`^applied +${FIRST} +\\d+ ms\\n$`));
    const errorLines = lines(result.stderr);
    expect(errorLines).toHaveLength(1);
    expect(errorLines[0]).toMatch(new RegExp(`^tododb: Migration ${SECOND} failed and was rolled back: .*${INDEXES.tasksByUser.name}`));

    expect(await recordedMigrations(testDb.url)).toEqual([FIRST]);
    expect(await tableNames(testDb.url)).toEqual([INDEXES.tasksByUser.name, 'tododb_migrations', 'users']);
    const status = await runCli(['migrate', 'status', '--json', '--url', testDb.url]);
    expect(JSON.parse(status.stdout)).toEqual({ executed: [FIRST], pending: ALL_MIGRATIONS.slice(1), changed: [] });
  });

  it('shows the stack with its causes only under --verbose', async () => {
    const quiet = await runCli(['migrate', 'up', '--url', testDb.url]);
    expect(quiet.stderr).not.toMatch(/\n\s+at /);
    const verbose = await runCli(['migrate', 'up', '--verbose', '--url', testDb.url]);
    expect(verbose.code).toBe(1);
    expect(verbose.stderr).toMatch(/\n\s+at /);
    expect(verbose.stderr).toContain('Caused by: ');
  });
});

describe('tododb migrate when it cannot connect', () => {
  const silent = useSilentServer();

  it.each([
    ['migrate', 'up'],
    ['migrate', 'down'],
    ['migrate', 'status'],
  ])('%s %s --timeout gives up on a host that never answers within the bound, in one line', async (...command) => {
    const url = `postgres://postgres:${MARKER}@127.0.0.1:${silent.port}/silent`;
    const result = await runCli([...command, '--timeout', '300', '--url', url]);
    expect(result.code).toBe(1);
    expect(lines(result.stderr)).toEqual([
      `tododb: The database is unavailable: timed out connecting (postgres://postgres:***@127.0.0.1:${silent.port}/silent)`,
    ]);
    // Without --timeout this takes the default connect timeout, 10 s. The margin is wide
    // on purpose: the point is that the bound applies, not how tight it is.
    expect(result.ms).toBeLessThan(5_000);
  });

  it('refuses a --timeout that is not a positive whole number with exit 2 and a usage line', async () => {
    for (const value of ['soon', '0', '-5', '1.5', '99999999999']) {
      const result = await runCli(['migrate', 'up', `--timeout=${value}`, '--url', `postgres://postgres@127.0.0.1:${silent.port}/silent`]);
      expect(result.code, value).toBe(2);
      expect(lines(result.stderr)).toEqual([
        'tododb: Expected --timeout to be a whole number of milliseconds from 1 to 2147483647',
        expect.stringMatching(/^Usage: tododb migrate up /),
      ]);
    }
  });

  it('refuses a URL that is not postgres:// in one line, without the password', async () => {
    const result = await runCli(['migrate', 'up', '--url', `mysql://root:${MARKER}@db.example.com/app`]);
    expect(result.code).toBe(1);
    expect(lines(result.stderr)).toEqual(['tododb: Expected `--url` to be a postgres:// or postgresql:// URL, got protocol "mysql:"']);
    expect(result.stdout + result.stderr).not.toContain(MARKER);
  });

  it('names the variable a bad URL came from, never its value', async () => {
    const env = {
      MIGRATION_DATABASE_URL: `mysql://root:${MARKER}@db.example.com/app`,
      DATABASE_URL: `postgres://nobody@127.0.0.1/${MARKER}`,
    };
    const result = await runCli(['migrate', 'up'], { env });
    expect(result.code).toBe(1);
    expect(lines(result.stderr)).toEqual([
      'tododb: Expected `MIGRATION_DATABASE_URL` to be a postgres:// or postgresql:// URL, got protocol "mysql:"',
    ]);
    expect(result.stdout + result.stderr).not.toContain(MARKER);
  });

  it('gives up quickly on a closed port, with one line naming where, and no stack', async () => {
    const port = await freePort();
    const result = await runCli(['migrate', 'up', '--url', `postgres://postgres:${MARKER}@127.0.0.1:${port}/x`]);
    expect(result.code).toBe(1);
    expect(result.ms).toBeLessThan(5_000);
    expect(lines(result.stderr)).toEqual([
      `tododb: The database is unavailable: ECONNREFUSED (postgres://postgres:***@127.0.0.1:${port}/x)`,
    ]);
    expect(result.stdout).toBe('');
  });

  it('never prints the password, from --url, DATABASE_URL or .env, with or without --verbose', async () => {
    const port = await freePort();
    const secretUrl = `postgres://postgres:${MARKER}@127.0.0.1:${port}/x`;
    const withDotEnv = emptyDir();
    writeFileSync(join(withDotEnv, '.env'), `DATABASE_URL=${secretUrl}\n`);
    const sources = [
      { argv: ['--url', secretUrl] },
      { argv: ['--url', `mysql://root:${MARKER}@127.0.0.1:${port}/x`] },
      { argv: ['--url', `postgres://postgres:${MARKER}@127.0.0.1:${port}/x?nonsense=1`] },
      { argv: [], env: { DATABASE_URL: secretUrl } },
      { argv: [], cwd: withDotEnv },
    ];
    const commands = [
      ['migrate', 'up'],
      ['migrate', 'down', '--to', '0'],
      ['migrate', 'status'],
      ['migrate', 'status', '--json'],
      ['migrate', 'up', '--to', 'nope'],
    ];
    for (const source of sources) {
      for (const command of commands) {
        for (const verbose of [[], ['--verbose']]) {
          const result = await runCli([...command, ...source.argv, ...verbose], { env: source.env, cwd: source.cwd });
          const what = `${command.join(' ')} ${source.argv.join(' ')} ${verbose.join(' ')}`;
          expect(result.code, what).toBe(1);
          // It printed its one-line reason, so the check below has output to look at.
          expect(result.stderr, what).toMatch(/^tododb: \S/);
          expect(result.stdout + result.stderr).not.toContain(MARKER);
        }
      }
    }
  });

  it('hides the password of a URL given without --url, in the usage error that echoes it', async () => {
    const result = await runCli(['migrate', 'up', `postgres://postgres:${MARKER}@127.0.0.1/x`]);
    expect(result.code).toBe(2);
    expect(lines(result.stderr)[0]).toBe('tododb: unexpected argument "postgres://postgres:***@127.0.0.1/x"');
  });
});
