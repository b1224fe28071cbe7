import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/testDatabase.js';

// Runs every code block of the README that is marked `<!-- readme-test -->`, each against a
// migrated database of its own, so the documentation cannot drift from the code.
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/<!-- readme-test -->\s*```ts\n([\s\S]*?)```/g)].map((match) => match[1]!);
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
