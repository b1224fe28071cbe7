import { readdir, readFile } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MigrationError } from '../errors/errors.js';
import { sha256 } from './knownMigrations.js';
import type { MigrationContext, MigrationDefinition } from './MigrationContext.js';

const LOADABLE = new Set(['.js', '.mjs', '.cjs']);
const TYPESCRIPT = new Set(['.ts', '.mts', '.cts']);

/**
 * Loads an application's migrations from a folder: one `.js`, `.mjs` or `.cjs` file each, exporting
 * `up` (and `down`), named by its file name without the extension and ordered by name. Each one's
 * checksum is the SHA-256 of its file, so an edit after it was applied is noticed. What the CLI's
 * `--migrations DIR` uses.
 *
 * @example
 * ```ts
 * import { createDatabase, createMigrator, loadMigrations } from 'tododb';
 *
 * const db = createDatabase();
 * const migrator = createMigrator(db, { migrations: await loadMigrations('./migrations') });
 * await migrator.up(); // tododb's migrations first, then the folder's, in the order of their names
 * await db.close();
 * ```
 */
export async function loadMigrations(folder: string): Promise<MigrationDefinition[]> {
  const directory = resolve(folder);
  let entries: string[];
  try {
    entries = (await readdir(directory, { withFileTypes: true })).filter((entry) => entry.isFile()).map((entry) => entry.name);
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'does not exist'
        : (error as NodeJS.ErrnoException).code === 'ENOTDIR'
          ? 'is not a folder'
          : 'cannot be read';
    throw new MigrationError(`The migrations folder ${folder} ${reason}`, { code: 'MIGRATION_INVALID', cause: error });
  }
  const typescript = entries.find((name) => TYPESCRIPT.has(extname(name)) && !/\.d\.[mc]?ts$/.test(name));
  if (typescript !== undefined) {
    throw new MigrationError(
      `${join(folder, typescript)} is TypeScript, which Node.js cannot load as it is: compile your migrations to .js (tsc, tsup) and point --migrations at the output, or run the CLI under a TypeScript loader (npx tsx node_modules/tododb/dist/cli.js …)`,
      { code: 'MIGRATION_INVALID', migration: typescript.slice(0, -extname(typescript).length) },
    );
  }
  const files = entries.filter((name) => LOADABLE.has(extname(name))).sort();
  const seen = new Map<string, string>();
  const migrations: MigrationDefinition[] = [];
  for (const file of files) {
    const name = file.slice(0, -extname(file).length);
    const twin = seen.get(name);
    if (twin !== undefined) {
      throw new MigrationError(`Two migration files are named ${name}: ${twin} and ${file}`, {
        code: 'MIGRATION_INVALID',
        migration: name,
      });
    }
    seen.set(name, file);
    const path = join(directory, file);
    const [text, module] = await Promise.all([readFile(path), importFile(path, name)]);
    const source = typeof module.up === 'function' ? module : ((module.default ?? {}) as Record<string, unknown>);
    const { up, down } = source as { up?: unknown; down?: unknown };
    if (typeof up !== 'function') {
      throw new MigrationError(`Migration file ${join(folder, file)} exports no \`up\` function`, {
        code: 'MIGRATION_INVALID',
        migration: name,
      });
    }
    if (down !== undefined && typeof down !== 'function') {
      throw new MigrationError(`Migration file ${join(folder, file)} exports a \`down\` that is not a function`, {
        code: 'MIGRATION_INVALID',
        migration: name,
      });
    }
    migrations.push({
      name,
      up: up as (context: MigrationContext) => Promise<void>,
      ...(down === undefined ? {} : { down: down as (context: MigrationContext) => Promise<void> }),
      checksum: sha256(text),
    });
  }
  return migrations;
}

async function importFile(path: string, name: string): Promise<Record<string, unknown>> {
  try {
    return (await import(pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new MigrationError(`Migration file ${path} could not be loaded: ${reason}`, {
      code: 'MIGRATION_INVALID',
      migration: name,
      cause: error,
    });
  }
}
