// The CLI with an application's own migrations: --migrations DIR, migrate create, --schema and
// status --check, in-process through run(argv, io) on a database of the file's own.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { useDatabaseCopy } from './support/testDatabase.js';
import { ALL_MIGRATIONS, emptyDir, lines, query, removeEmptyDirs, runCli } from './fixtures/cli.js';

afterAll(removeEmptyDirs);

async function status(url: string, folder?: string): Promise<{ executed: string[]; pending: string[]; changed: string[] }> {
  const result = await runCli(['migrate', 'status', '--json', '--url', url, ...(folder ? ['--migrations', folder] : [])]);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
}

describe('tododb migrate with --migrations DIR', () => {
  const testDb = useDatabaseCopy({ migrated: false });

  it('creates a migration that applies as written, runs the app migrations after tododb’s, and notices an edit', async () => {
    const folder = emptyDir('tododb-app-migrations-');
    const created = await runCli(['migrate', 'create', 'Add tags', '--migrations', folder]);
    expect(created.code, created.stderr).toBe(0);
    const [file] = readdirSync(folder);
    expect(file).toMatch(/^\d{14}-add-tags\.mjs$/);
    expect(created.stdout).toBe(`Created ${join(folder, file!)}\n`);

    // As written (its bodies are comments), it applies.
    const up = await runCli(['migrate', 'up', '--url', testDb.url, '--migrations', folder]);
    expect(up.code, up.stderr).toBe(0);
    const name = file!.replace(/\.mjs$/, '');
    expect(await status(testDb.url, folder)).toEqual({ executed: [...ALL_MIGRATIONS, name], pending: [], changed: [] });

    // A second one that does something, in CommonJS.
    writeFileSync(
      join(folder, '99990101000000-labels.cjs'),
      `exports.up = async ({ query, schema }) => { await query(\`CREATE TABLE "\${schema}".labels (id int PRIMARY KEY)\`); };
exports.down = async ({ query, schema }) => { await query(\`DROP TABLE "\${schema}".labels\`); };\n`,
    );
    expect((await runCli(['migrate', 'status', '--check', '--url', testDb.url, '--migrations', folder])).code).toBe(1);
    expect((await runCli(['migrate', 'up', '--url', testDb.url, '--migrations', folder])).code).toBe(0);
    expect(await query(testDb.url, `SELECT to_regclass('public.labels') IS NOT NULL AS found`)).toEqual([{ found: true }]);
    expect((await runCli(['migrate', 'status', '--check', '--url', testDb.url, '--migrations', folder])).code).toBe(0);

    // Editing an applied migration is noticed, and up refuses until --allow-changed.
    const path = join(folder, file!);
    writeFileSync(path, `${readFileSync(path, 'utf8')}\n// edited\n`);
    expect((await status(testDb.url, folder)).changed).toEqual([name]);
    const refused = await runCli(['migrate', 'up', '--url', testDb.url, '--migrations', folder]);
    expect(refused.code).toBe(1);
    expect(lines(refused.stderr)).toEqual([
      expect.stringMatching(new RegExp(`^tododb: Applied migration ${name} changed since it was applied`)),
    ]);
    expect((await runCli(['migrate', 'up', '--allow-changed', '--url', testDb.url, '--migrations', folder])).code).toBe(0);

    // down reverts the newest applied first: the app's, before tododb's own.
    const down = await runCli(['migrate', 'down', '--url', testDb.url, '--migrations', folder]);
    expect(down.code, down.stderr).toBe(0);
    expect(lines(down.stdout)[0]).toMatch(/^reverted +99990101000000-labels /);
    expect(await query(testDb.url, `SELECT to_regclass('public.labels') IS NOT NULL AS found`)).toEqual([{ found: false }]);

    // Without --migrations the app's applied one is unknown: status lists it, down refuses it.
    const human = await runCli(['migrate', 'status', '--url', testDb.url]);
    expect(human.stdout).toContain(`Applied but unknown here (1; pass --migrations DIR to know them):\n  ${name}\n`);
    const unknown = await runCli(['migrate', 'down', '--url', testDb.url]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/is applied but unknown here/);
  });

  it('refuses a TypeScript file, a missing folder, a file without up and two files of one name, before changing anything', async () => {
    const cases: [string, Record<string, string>, RegExp][] = [
      ['typescript', { '20260101000000-a.ts': 'export async function up() {}' }, /is TypeScript, which Node.js cannot load/],
      ['no up', { '20260101000000-a.mjs': 'export async function down() {}' }, /exports no `up` function/],
      [
        'twins',
        { '20260101000000-a.mjs': 'export async function up() {}', '20260101000000-a.cjs': 'exports.up = async () => {}' },
        /Two migration files are named 20260101000000-a/,
      ],
      ['unsafe name', { 'Add Tags.mjs': 'export async function up() {}' }, /needs a name of lower-case letters/],
    ];
    for (const [what, files, message] of cases) {
      const folder = emptyDir(`tododb-bad-${what.replace(' ', '-')}-`);
      for (const [name, text] of Object.entries(files)) writeFileSync(join(folder, name), text);
      const before = await status(testDb.url);
      const result = await runCli(['migrate', 'up', '--url', testDb.url, '--migrations', folder]);
      expect(result.code, what).toBe(1);
      expect(lines(result.stderr), what).toEqual([expect.stringMatching(message)]);
      expect(await status(testDb.url), what).toEqual(before);
    }
    const missing = await runCli(['migrate', 'status', '--url', testDb.url, '--migrations', join(emptyDir(), 'nope')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/The migrations folder .*nope does not exist/);
  });

  it('migrate create needs a name and --migrations', async () => {
    expect((await runCli(['migrate', 'create', '--migrations', emptyDir()])).code).toBe(2);
    const noFolder = await runCli(['migrate', 'create', 'x']);
    expect(noFolder.code).toBe(2);
    expect(noFolder.stderr).toMatch(/needs --migrations DIR/);
  });
});

describe('tododb migrate --schema', () => {
  const testDb = useDatabaseCopy({ migrated: false });

  it('puts tododb’s tables in that schema, next to an application’s own public.users, and health reads them there', async () => {
    await query(testDb.url, 'CREATE TABLE public.users (id serial PRIMARY KEY, password_hash text NOT NULL)');
    await query(testDb.url, `INSERT INTO public.users (password_hash) VALUES ('x')`);
    const refused = await runCli(['migrate', 'up', '--url', testDb.url]);
    expect(refused.code).toBe(1);
    expect(lines(refused.stderr)).toEqual([
      expect.stringMatching(/^tododb: Table public\.users already exists and was not created by tododb's migrations/),
    ]);

    const up = await runCli(['migrate', 'up', '--schema', 'todo', '--url', testDb.url]);
    expect(up.code, up.stderr).toBe(0);
    const tables = await query(
      testDb.url,
      `SELECT table_schema || '.' || table_name AS name FROM information_schema.tables WHERE table_schema IN ('public', 'todo') ORDER BY 1`,
    );
    expect(tables.map((row) => row.name)).toEqual(['public.users', 'todo.tasks', 'todo.tododb_migrations', 'todo.users']);
    expect(await query(testDb.url, 'SELECT password_hash FROM public.users')).toEqual([{ password_hash: 'x' }]);
    expect((await runCli(['health', '--schema', 'todo', '--url', testDb.url])).code).toBe(0);
    expect((await runCli(['health', '--url', testDb.url])).code).toBe(1); // public has no tododb tables
    const bad = await runCli(['migrate', 'status', '--schema', 'Todo"; DROP', '--url', testDb.url]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/Expected `schema` to be a schema name/);
  });
});
