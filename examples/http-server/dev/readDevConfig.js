// @ts-check
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nonEmpty, readConfig, readPort } from '../readConfig.js';

const HERE = dirname(fileURLToPath(import.meta.url));

/**
 * The settings of `npm start`'s development wrapper, read once from the environment.
 *
 * @typedef {object} DevConfig
 * @property {boolean} useEmbedded          true when `DATABASE_URL` is unset (or empty).
 * @property {string} dataDir               `TODODB_EXAMPLE_DATA_DIR`, default `examples/http-server/dev/.data`.
 * @property {number | undefined} embeddedPort `TODODB_EXAMPLE_PG_PORT`; a free port when unset.
 * @property {string} logLevel              `LOG_LEVEL`, as the server reads it.
 */

/**
 * Reads the wrapper's settings from `env` (the environment with the .env files under it).
 * Throws an Error naming the variable at fault, never its value.
 *
 * @param {Record<string, string | undefined>} env
 * @returns {DevConfig}
 */
export function readDevConfig(env) {
  return {
    useEmbedded: nonEmpty(env.DATABASE_URL) === undefined,
    dataDir: resolve(nonEmpty(env.TODODB_EXAMPLE_DATA_DIR) ?? join(HERE, '.data')),
    embeddedPort: readPort(env, 'TODODB_EXAMPLE_PG_PORT'),
    logLevel: readConfig(env).logLevel,
  };
}
