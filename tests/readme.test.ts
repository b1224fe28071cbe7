import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { cleanEnv, runProcess } from './fixtures/cli.js';
import { createTestDatabase, type TestDatabase } from './support/testDatabase.js';

// Runs every code block of the README that is marked `<!-- readme-test -->`, each against a
// migrated database of its own, so the documentation cannot drift from the code. Blocks marked
// `<!-- readme-test: vitest -->` are test files: they run in a Vitest process of their own.
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const codeBlocks = (marker: string): string[] =>
  [...readme.matchAll(new RegExp(`<!-- ${marker} -->\\s*\`\`\`ts\\n([\\s\\S]*?)\`\`\``, 'g'))].map((match) => match[1]!);
const blocks = codeBlocks('readme-test');
const vitestBlocks = codeBlocks('readme-test: vitest');
const snippetDir = join(root, 'tests', '.readme-snippets');

describe('README examples', () => {
  const databases: TestDatabase[] = [];
  const savedUrl = process.env.DATABASE_URL;
  afterAll(async () => {
    process.env.DATABASE_URL = savedUrl;
    if (savedUrl === undefined) delete process.env.DATABASE_URL;
    for (const database of databases) await database.drop();
  });

  it('has examples to run', () => {
    expect(blocks.length).toBeGreaterThanOrEqual(5);
  });

  blocks.forEach((code, index) => {
    const title = code.split('\n').find((line) => line.startsWith('const ') || line.startsWith('await ')) ?? `block ${index + 1}`;
    it(`example ${index + 1} runs: ${title.slice(0, 60)}`, async () => {
      const database = await createTestDatabase();
      databases.push(database);
      process.env.DATABASE_URL = database.url; // the examples read it, as a user's service would
      mkdirSync(snippetDir, { recursive: true });
      const file = join(snippetDir, `example-${index + 1}.ts`);
      writeFileSync(file, code);
      await import(/* @vite-ignore */ `${file}?t=${Date.now()}`);
    });
  });
});

describe('README test examples (tododb/testing)', () => {
  it('pass when Vitest runs them, with only TEST_DATABASE_URL set', async () => {
    expect(vitestBlocks.length).toBeGreaterThanOrEqual(1);
    // Named *.readme.ts, which this run's include pattern does not pick up; a config of their own does.
    const dir = join(snippetDir, 'vitest');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    vitestBlocks.forEach((code, index) => {
      writeFileSync(join(dir, `example-${index + 1}.readme.ts`), code);
    });
    const config = join(dir, 'vitest.config.ts');
    writeFileSync(
      config,
      [
        `import base from '../../../vitest.shared.js';`,
        `export default { ...base, test: { ...base.test, include: ['tests/.readme-snippets/vitest/*.readme.ts'], globalSetup: [] } };`,
        '',
      ].join('\n'),
    );

    const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
    const result = await runProcess(process.execPath, [vitest, 'run', '--root', root, '--config', config], {
      cwd: root,
      env: cleanEnv({ TEST_DATABASE_URL: inject('serverUrl'), NO_COLOR: '1' }),
      timeoutMs: 120_000,
    });
    const output = `${result.stdout}\n${result.stderr}`;
    expect(result.code, output).toBe(0);
    expect(output).toMatch(new RegExp(`Test Files\\s+\\S*${vitestBlocks.length} passed`));
  }, 130_000);
});
