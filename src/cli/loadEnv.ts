import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import dotenv from 'dotenv';
import type { Env } from 'tododb';

/**
 * The environment with `<cwd>/.env` merged under it: a variable set in the environment wins
 * over the file, as with dotenv's defaults. Returns a new object; `process.env` is untouched.
 */
export function loadEnv(cwd: string, env: Env): Env {
  let text: string;
  try {
    text = readFileSync(join(cwd, '.env'), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return env;
    throw new Error(`Could not read .env: ${(error as Error).message}`, { cause: error });
  }
  return { ...dotenv.parse(text), ...env };
}
