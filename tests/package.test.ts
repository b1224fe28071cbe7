// Tests what npm publishes: applies the pending changesets (as `npm run version` does before a
// release), packs the package (its prepack builds dist/ from scratch), installs the tarball in a
// throwaway consumer project outside the repository, then imports it from ESM and CommonJS,
// type-checks against it and runs its bin with npx. Slow: it runs npm install.
import { cpSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { admin, TEMPLATE_KEY, useDatabaseCopy } from './support/testDatabase.js';
import { ALL_MIGRATIONS, REPO_ROOT, cleanEnv, emptyDir, lines, removeEmptyDirs, runProcess, type CliResult } from './fixtures/cli.js';

const FIXTURES = join(REPO_ROOT, 'tests', 'fixtures', 'consumer');
// Not packed into the copy: generated, installed or private to this checkout.
const NOT_COPIED = new Set(['node_modules', 'dist', '.git', '.tmp', 'coverage', '.env', '.data']);

let work: string;
let stage: string;
let consumer: string;
let tarball: string;

afterAll(removeEmptyDirs);

function npm(args: string[], cwd: string, env: NodeJS.ProcessEnv = cleanEnv()): Promise<CliResult> {
  return runProcess('npm', args, { cwd, env, timeoutMs: 400_000 });
}

function expectSuccess(result: CliResult, what: string): void {
  expect(result.code, `${what} failed:\n${result.stdout}\n${result.stderr}`).toBe(0);
}

beforeAll(async () => {
  work = emptyDir('tododb-package-');
  // Pack a copy of the checkout, so this file's build never races the CLI tests' build of
  // dist/; the copy starts without dist/, so the tarball proves that prepack builds.
  stage = join(work, 'tododb');
  cpSync(REPO_ROOT, stage, {
    recursive: true,
    filter: (source) => {
      const name = relative(REPO_ROOT, source).split(/[\\/]/).pop() ?? '';
      return !NOT_COPIED.has(name) && !name.endsWith('.tgz');
    },
  });
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(stage, 'node_modules'), 'dir');
  // The tarball a release publishes: version bumped and CHANGELOG.md written by changesets.
  expectSuccess(await npm(['run', 'version', '--loglevel=error'], stage), 'npm run version');
  expectSuccess(await npm(['pack', '--pack-destination', work, '--loglevel=error'], stage), 'npm pack');
  const packed = readdirSync(work).filter((name) => name.endsWith('.tgz'));
  expect(packed).toHaveLength(1);
  tarball = join(work, packed[0]!);

  consumer = join(work, 'consumer');
  mkdirSync(consumer);
  writeFileSync(
    join(consumer, 'package.json'),
    `${JSON.stringify({ name: 'tododb-consumer', version: '1.0.0', private: true, type: 'module' }, null, 2)}\n`,
  );
  cpSync(FIXTURES, consumer, { recursive: true });
  const install = await npm(
    ['install', tarball, 'typescript@~5.9', '@types/node@^20', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'],
    consumer,
  );
  expectSuccess(install, 'npm install');
}, 600_000);

describe('the packed tarball', () => {
  it('holds the ESM and CommonJS builds with their declarations, the bin and no sources or tests', async () => {
    const listing = await runProcess('tar', ['-tzf', tarball], { cwd: work, env: cleanEnv() });
    expectSuccess(listing, 'tar');
    const files = lines(listing.stdout).map((path) => path.replace(/^package\//, ''));
    expect(files).toEqual(
      expect.arrayContaining([
        ...['package.json', 'dist/index.js', 'dist/index.cjs', 'dist/index.d.ts', 'dist/index.d.cts', 'dist/cli.js'],
        ...['dist/testing.js', 'dist/testing.cjs', 'dist/testing.d.ts', 'dist/testing.d.cts'],
      ]),
    );
    expect(files.filter((path) => /^(src|tests|examples)\//.test(path))).toEqual([]);
    expect(files).not.toContain('dist/cli.cjs');
    // No source maps: they would point at src/, which is not shipped (README, Releases).
    expect(files.filter((path) => path.endsWith('.map'))).toEqual([]);
  });

  it('carries the MIT licence, the repository links and a CHANGELOG with the version it holds', async () => {
    const read = async (path: string): Promise<string> => {
      const result = await runProcess('tar', ['-xOzf', tarball, `package/${path}`], { cwd: work, env: cleanEnv() });
      expectSuccess(result, `tar ${path}`);
      return result.stdout;
    };
    const manifest = JSON.parse(await read('package.json')) as Record<string, unknown> & { version: string };
    expect(manifest).toMatchObject({
      license: 'MIT',
      repository: { type: 'git', url: 'git+https://github.com/tododb/tododb.git' },
      homepage: 'https://github.com/tododb/tododb#readme',
      bugs: { url: 'https://github.com/tododb/tododb/issues' },
    });
    expect(manifest.version).not.toBe('0.0.0');
    expect(await read('LICENSE')).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} tododb contributors\n/);
    expect(await read('CHANGELOG.md')).toMatch(new RegExp(`^# tododb\n\n## ${manifest.version.replaceAll('.', '\\.')}\n`));
  });

  it('passes publint and arethetypeswrong (npm run check:package)', async () => {
    expectSuccess(await npm(['run', 'check:package'], stage), 'check:package');
  }, 300_000);

  it('gives ESM import and CommonJS require the same exports', async () => {
    const esm = await runProcess(process.execPath, ['esm.mjs'], { cwd: consumer, env: cleanEnv() });
    const cjs = await runProcess(process.execPath, ['cjs.cjs'], { cwd: consumer, env: cleanEnv() });
    expectSuccess(esm, 'esm.mjs');
    expectSuccess(cjs, 'cjs.cjs');
    const fromEsm = JSON.parse(esm.stdout) as { functions: string[]; keys: string[] };
    const fromCjs = JSON.parse(cjs.stdout) as { functions: string[]; keys: string[] };
    expect(fromEsm.functions).toEqual(['function', 'function']);
    expect(fromEsm.keys).toEqual(expect.arrayContaining(['createDatabase', 'createMigrator']));
    expect(fromCjs).toEqual(fromEsm);
  });

  it('keeps instanceof working for errors across the ESM and CommonJS copies in one process', async () => {
    const mixed = await runProcess(process.execPath, ['mixed.mjs'], { cwd: consumer, env: cleanEnv() });
    expectSuccess(mixed, 'mixed.mjs');
    const checks = JSON.parse(mixed.stdout) as Record<string, Record<string, boolean>>;
    expect(Object.keys(checks)).toHaveLength(3);
    for (const [name, result] of Object.entries(checks)) {
      expect(result, name).toEqual({
        copiesDiffer: true,
        cjsErrorIsEsmClass: true,
        esmErrorIsCjsClass: true,
        cjsErrorIsEsmBase: true,
        notAnotherClass: true,
      });
    }
  });

  it('types the models for a strict TypeScript consumer, ESM and CommonJS, and rejects a wrong type', async () => {
    const tsc = join(consumer, 'node_modules', 'typescript', 'bin', 'tsc');
    const flags = ['--strict', '--noEmit', '--module', 'node16', '--moduleResolution', 'node16', '--target', 'es2022', '--types', 'node'];
    const good = await runProcess(process.execPath, [tsc, ...flags, 'good.mts', 'good.cts'], { cwd: consumer, env: cleanEnv() });
    expect(good.stdout + good.stderr).toBe('');
    expect(good.code).toBe(0);

    const bad = await runProcess(process.execPath, [tsc, ...flags, 'bad.mts'], { cwd: consumer, env: cleanEnv() });
    expect(bad.code).not.toBe(0);
    // Fails for the planted reason only: string is not assignable to number, and nothing else.
    expect(lines(bad.stdout)).toEqual([
      expect.stringMatching(/^bad\.mts\(\d+,\d+\): error TS2322: Type 'string' is not assignable to type 'number'\.$/),
    ]);
  }, 120_000);

  it("refuses driver 'neon-serverless' without @neondatabase/serverless installed, saying what to install, from ESM and CommonJS", async () => {
    const result = await runProcess(process.execPath, ['neon.mjs'], { cwd: consumer, env: cleanEnv() });
    expectSuccess(result, 'neon.mjs');
    const refused = { refused: true, field: 'driver', message: expect.stringContaining('npm install @neondatabase/serverless ws') };
    expect(JSON.parse(result.stdout)).toEqual({ esm: refused, cjs: refused, pgHandle: 'closed' });
  });

  describe('tododb/testing in the consumer project', () => {
    it('imported from ESM and required from CommonJS, creates a migrated database, writes a row and drops it', async () => {
      const env = cleanEnv({ TEST_DATABASE_URL: inject('serverUrl'), TEMPLATE_KEY });
      const runs = [
        { file: 'testing.mjs', email: 'esm@example.com' },
        { file: 'testing.cjs', email: 'cjs@example.com' },
      ];
      const results = await Promise.all(runs.map(({ file }) => runProcess(process.execPath, [file], { cwd: consumer, env })));
      for (const [index, { file, email }] of runs.entries()) {
        const result = results[index]!;
        expectSuccess(result, file);
        const report = JSON.parse(result.stdout) as { name: string };
        expect(report, file).toEqual({
          name: expect.stringMatching(/^tododb_test_[0-9a-f]{16}$/),
          email,
          users: 1,
          executed: ALL_MIGRATIONS,
          health: 'ok',
        });
        const left = await admin(inject('serverUrl'), (client) =>
          client.query('SELECT 1 FROM pg_database WHERE datname = $1', [report.name]),
        );
        expect(left.rows, `${file}: its database is dropped`).toEqual([]);
      }
    }, 60_000);

    it('is not loaded by import or require of tododb', async () => {
      const result = await runProcess(process.execPath, ['production.mjs'], { cwd: consumer, env: cleanEnv() });
      expectSuccess(result, 'production.mjs');
      expect(JSON.parse(result.stdout)).toEqual({ esm: 'function', cjs: 'function', kitInRequireCache: [], kitImportRefused: true });
    });
  });

  describe('with @neondatabase/serverless installed beside it', () => {
    let withNeon: string;

    beforeAll(async () => {
      withNeon = join(work, 'consumer-neon');
      mkdirSync(withNeon);
      writeFileSync(
        join(withNeon, 'package.json'),
        `${JSON.stringify({ name: 'tododb-neon-consumer', version: '1.0.0', private: true, type: 'module' }, null, 2)}\n`,
      );
      cpSync(FIXTURES, withNeon, { recursive: true });
      const install = await npm(
        ['install', tarball, '@neondatabase/serverless@^1', 'ws@^8', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'],
        withNeon,
      );
      expectSuccess(install, 'npm install (with @neondatabase/serverless)');
    }, 600_000);

    it('reads the neonConfig the application sets on the package it imports (ESM) or requires (CommonJS)', async () => {
      for (const file of ['neon-config.mjs', 'neon-config.cjs']) {
        const result = await runProcess(process.execPath, [file], { cwd: withNeon, env: cleanEnv() });
        expectSuccess(result, file);
        expect(JSON.parse(result.stdout), file).toEqual({
          opened: ['ws://127.0.0.1:1/v2?address=db.example:5432'],
          error: 'DatabaseUnavailableError',
        });
      }
    });
  });

  describe('npx tododb in the consumer project', () => {
    const testDb = useDatabaseCopy({ migrated: false });

    it('migrates an empty database and reports every migration executed, none pending', async () => {
      const env = cleanEnv({ DATABASE_URL: testDb.url });
      const help = await runProcess('npx', ['--no', '--', 'tododb', '--help'], { cwd: consumer, env });
      expectSuccess(help, 'npx tododb --help');
      expect(help.stdout).toContain('migrate up');

      const up = await runProcess('npx', ['--no', '--', 'tododb', 'migrate', 'up'], { cwd: consumer, env });
      expectSuccess(up, 'npx tododb migrate up');
      expect(up.stdout).toMatch(/^Applied \d+ migrations? to .*; none pending\.$/m);

      const status = await runProcess('npx', ['--no', '--', 'tododb', 'migrate', 'status', '--json'], { cwd: consumer, env });
      expectSuccess(status, 'npx tododb migrate status --json');
      expect(JSON.parse(status.stdout)).toEqual({ executed: ALL_MIGRATIONS, pending: [], changed: [] });
    }, 60_000);
  });
});
