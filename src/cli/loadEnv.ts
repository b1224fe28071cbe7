import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import dotenv from 'dotenv';
import { TododbError, type Env } from 'tododb';
import { UsageError } from './UsageError.js';

/** Which `.env` files a run looked for and which of them it read, for messages. */
export interface EnvFiles {
  /** `true` when they came from `--env-file`, `false` for the default ones. */
  named: boolean;
  /** The folder the default files were looked for in (and named files are relative to). */
  cwd: string;
  /** The files looked for, as named (`.env`, `.env.local`, … or the `--env-file` paths), in order. */
  lookedFor: string[];
  /** Those that were there and were read. */
  read: string[];
}

/** The environment with the `.env` files merged under it, and which files those were. */
export interface LoadedEnv {
  env: Env;
  files: EnvFiles;
}

/**
 * The files read when no `--env-file` is given, in the order they are merged: later ones
 * override earlier ones. `NODE_ENV` is taken from the real environment only: it selects the
 * files, so a file cannot set it for itself.
 */
export function defaultEnvFiles(nodeEnv: string | undefined): string[] {
  const mode = nodeEnv === undefined || nodeEnv.trim() === '' ? undefined : nodeEnv.trim();
  return mode === undefined ? ['.env', '.env.local'] : ['.env', '.env.local', `.env.${mode}`, `.env.${mode}.local`];
}

/**
 * Merges the `.env` files under `env`: without `envFiles`, the default ones from `cwd` that
 * exist ({@link defaultEnvFiles}); with it, exactly those files (relative to `cwd`), each of
 * which must exist. Each file overrides the ones before it, and a variable set in `env` wins
 * over all of them, as with dotenv's defaults. Returns a new object; `env` is untouched.
 *
 * Values are parsed, never printed: errors name the file and the reason only.
 * Throws a {@link UsageError} (with `usage`) for a named file that does not exist.
 */
export function loadEnv(cwd: string, env: Env, envFiles: readonly string[] | undefined, usage: string): LoadedEnv {
  const named = envFiles !== undefined;
  const lookedFor = named ? [...envFiles] : defaultEnvFiles(env.NODE_ENV);
  const read: string[] = [];
  let fromFiles: Env = {};
  for (const name of lookedFor) {
    const text = readEnvFile(resolve(cwd, name), name, named, usage);
    if (text === undefined) continue;
    read.push(name);
    fromFiles = { ...fromFiles, ...dotenv.parse(text) };
  }
  const fromEnvironment = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined));
  return { env: { ...fromFiles, ...fromEnvironment }, files: { named, cwd, lookedFor, read } };
}

/** The file's text; `undefined` for a default file that is not there. */
function readEnvFile(path: string, name: string, named: boolean, usage: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !named) return undefined;
    if (code === 'ENOENT') throw new UsageError(`--env-file ${name}: no such file`, usage);
    // Node's message names the full path and the reason; the code alone is enough, and one line.
    throw new TododbError('CONFIG_INVALID', `Could not read ${name}: ${code ?? (error as Error).message}`, { cause: error });
  }
}

/**
 * Where settings could have come from, for a message about a missing one:
 * `looked in /app for .env, .env.local: none found`, `read .env from /app`, `read --env-file a.env`.
 */
export function describeEnvFiles(files: EnvFiles): string {
  if (files.named) return `read --env-file ${files.lookedFor.join(', ')}`;
  const found = files.read.length === 0 ? 'none found' : `read ${files.read.join(', ')}`;
  return `looked in ${files.cwd} for ${files.lookedFor.join(', ')}: ${found}`;
}
