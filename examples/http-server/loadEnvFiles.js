// @ts-check
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import dotenv from 'dotenv';

// A file name part, not a path: NODE_ENV must not point the server at another folder's files.
const ENV_NAME = /^[\w-]+$/;

/**
 * @typedef {object} LoadedEnv
 * @property {Record<string, string | undefined>} env   The files' variables under the environment's.
 * @property {string[]} files  The files that were found and read, in order; names only, safe to log.
 */

/**
 * The settings of one environment, as tododb's CLI loads them: `.env`, `.env.local`,
 * `.env.$NODE_ENV` and `.env.$NODE_ENV.local` from `cwd`, each one present overriding the ones
 * before it, and the variables already in `env` winning over all of them (so a deployment's
 * real environment always has the last word). `NODE_ENV` itself is taken from `env` only.
 *
 * Returns a new object and leaves `env` (usually `process.env`) untouched: the server hands the
 * result to `createDatabase()` and its own config reader explicitly.
 *
 * Each file is read and parsed here rather than with `dotenv.config({ path: [...] })`, whose
 * precedence runs the other way (the first file wins unless `override`, and `override` would
 * also let a file beat the real environment) and which skips a file it cannot read in silence.
 *
 * @param {string} cwd
 * @param {Record<string, string | undefined>} env
 * @returns {LoadedEnv}
 */
export function loadEnvFiles(cwd, env) {
  const nodeEnv = env.NODE_ENV?.trim() || undefined;
  if (nodeEnv !== undefined && !ENV_NAME.test(nodeEnv)) {
    throw new Error('Expected NODE_ENV to be a name of letters, digits, "_" or "-" (it names the .env.$NODE_ENV file)');
  }
  const names = ['.env', '.env.local', ...(nodeEnv ? [`.env.${nodeEnv}`, `.env.${nodeEnv}.local`] : [])];

  /** @type {Record<string, string>} */
  let fromFiles = {};
  const files = [];
  for (const name of names) {
    const text = readIfPresent(join(cwd, name), name);
    if (text === undefined) continue;
    fromFiles = { ...fromFiles, ...dotenv.parse(text) };
    files.push(name);
  }
  return { env: { ...fromFiles, ...env }, files };
}

/**
 * @param {string} path
 * @param {string} name  For the message: the file's name, not its contents.
 */
function readIfPresent(path, name) {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if (/** @type {NodeJS.ErrnoException} */ (error).code === 'ENOENT') return undefined;
    throw new Error(`Could not read ${name}: ${/** @type {Error} */ (error).message}`, { cause: error });
  }
}
