import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MigrationError } from '../errors/errors.js';

const SLUG = /^[a-z0-9][a-z0-9_-]{0,99}$/;

/**
 * Writes a new, empty migration into `folder`: `YYYYMMDDHHMMSS-name.mjs` (UTC), a name that sorts
 * after every migration made before it, with commented `up` and `down` that apply as written.
 * Returns the file's path. What `tododb migrate create NAME --migrations DIR` runs.
 */
export async function createMigrationFile(folder: string, name: string, now: Date = new Date()): Promise<string> {
  const slug = name
    .trim()
    .toLowerCase()
    .replace(/[\s.]+/g, '-');
  if (!SLUG.test(slug)) {
    throw new MigrationError(
      'Expected the migration name to be lower-case letters, digits, "-" and "_" (at most 100), starting with a letter or digit',
      {
        code: 'MIGRATION_INVALID',
      },
    );
  }
  const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  const path = join(folder, `${stamp}-${slug}.mjs`);
  await mkdir(folder, { recursive: true });
  // 'wx': never overwrite a migration that exists.
  await writeFile(path, template(`${stamp}-${slug}`), { flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
    throw new MigrationError(
      error.code === 'EEXIST' ? `${path} exists already` : `Could not write ${path}: ${error.code ?? error.message}`,
      {
        code: 'MIGRATION_INVALID',
        cause: error,
      },
    );
  });
  return path;
}

function template(name: string): string {
  return `// Migration ${name}, made by \`tododb migrate create\`.
// It runs in a transaction of its own, after tododb's migrations and your earlier ones, under
// tododb's migration lock; its file's checksum is recorded, so do not edit it once applied.
// \`schema\` is the PostgreSQL schema of tododb's tables (the \`schema\` option): name it in your SQL.

/** @param {import('tododb').MigrationContext} context */
export async function up({ query, schema }) {
  // await query(\`CREATE TABLE "\${schema}".tags (id uuid PRIMARY KEY, label text NOT NULL)\`);
}

/** @param {import('tododb').MigrationContext} context */
export async function down({ query, schema }) {
  // await query(\`DROP TABLE "\${schema}".tags\`);
}
`;
}
