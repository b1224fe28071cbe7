// Every `@example` in the sources' TSDoc is TypeScript that compiles against tododb's public API:
// the examples an editor shows on hover cannot drift from the code. Each one is written to a file
// of its own and type-checked by `tsc` with the project's settings (`tododb` and `tododb/testing`
// resolve to the sources, as in `npm run typecheck`). Nothing is run.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, cleanEnv, runProcess } from './fixtures/cli.js';

interface Example {
  /** `src/…/file.ts:line`, where the example starts. */
  where: string;
  code: string;
}

/** The ```ts blocks that follow an `@example` tag in the comments of every file under src/. */
function examplesIn(folder: string): Example[] {
  const examples: Example[] = [];
  const files = readdirSync(join(REPO_ROOT, folder), { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts'));
  for (const file of files.sort()) {
    const path = join(REPO_ROOT, folder, file);
    const text = readFileSync(path, 'utf8');
    for (const match of text.matchAll(/@example\s*\n((?:\s*\*.*\n)*?)\s*\*\s*```ts\n((?:\s*\*.*\n)*?)\s*\*\s*```/g)) {
      const line = text.slice(0, match.index).split('\n').length;
      const code = match[2]!.replace(/^\s*\* ?/gm, '');
      examples.push({ where: `${relative(REPO_ROOT, path)}:${line}`, code });
    }
  }
  return examples;
}

/**
 * What a fragment (an example without imports, such as `await db.transaction(…)`) may use: every
 * name `tododb` exports, and a handle `db`.
 */
function preamble(): string {
  const index = readFileSync(join(REPO_ROOT, 'src', 'index.ts'), 'utf8');
  const names = (kind: 'value' | 'type'): string[] =>
    [...index.matchAll(kind === 'type' ? /export type \{([^}]*)\}/g : /export \{([^}]*)\}/g)].flatMap((match) =>
      match[1]!
        .split(',')
        .map((name) => name.trim())
        .filter(Boolean),
    );
  return [
    `import { ${names('value').join(', ')} } from 'tododb';`,
    `import type { ${names('type').join(', ')} } from 'tododb';`,
    'declare const db: Database;',
    '',
  ].join('\n');
}

const examples = examplesIn('src');
const work = (() => {
  mkdirSync(join(REPO_ROOT, '.tmp'), { recursive: true });
  return mkdtempSync(join(REPO_ROOT, '.tmp', 'tsdoc-examples-'));
})();

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('the @example blocks of the TSDoc', () => {
  it('include the ones of the main entry points', () => {
    const where = examples.map((example) => example.where).join('\n');
    for (const file of [
      'src/database/createDatabase.ts', // createDatabase and db.transaction
      'src/migrator/createMigrator.ts',
      'src/migrator/loadMigrations.ts',
      'src/health/checkHealth.ts',
      'src/testing/createTestDatabase.ts',
    ]) {
      expect(where).toContain(file);
    }
    expect(examples.filter((example) => example.where.startsWith('src/database/createDatabase.ts:'))).toHaveLength(2);
  });

  it('type-check against the public API', async () => {
    const fragmentPreamble = preamble();
    examples.forEach((example, index) => {
      const standalone = /^import /m.test(example.code);
      const source = `// ${example.where}\n${standalone ? '' : fragmentPreamble}${example.code}\nexport {};\n`;
      writeFileSync(join(work, `example-${index + 1}.ts`), source);
    });
    // The project's settings, less the two that would flag a fragment's unused preamble names.
    const config = {
      extends: relative(work, join(REPO_ROOT, 'tsconfig.json')),
      compilerOptions: { noUnusedLocals: false, noUnusedParameters: false },
      include: ['*.ts'],
    };
    writeFileSync(join(work, 'tsconfig.json'), JSON.stringify(config, null, 2));

    const tsc = join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await runProcess(process.execPath, [tsc, '-p', join(work, 'tsconfig.json'), '--pretty', 'false'], {
      cwd: REPO_ROOT,
      env: cleanEnv(),
      timeoutMs: 120_000,
    });
    // tsc names the file; the file's first line names the example's place in src/.
    const report = result.stdout.replace(
      /example-\d+\.ts/g,
      (file) => `${file} [${readFileSync(join(work, file), 'utf8').split('\n')[0]}]`,
    );
    expect(report).toBe('');
    expect(result.code).toBe(0);
  }, 130_000);
});
