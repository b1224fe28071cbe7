// @ts-check
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));

/**
 * The example server's settings, read once from the environment.
 *
 * @typedef {object} ServerConfig
 * @property {number} port                 `PORT`, default 3000.
 * @property {string} host                 `HOST`, default `localhost` (use `0.0.0.0` in a container).
 * @property {boolean} useEmbedded         true when `DATABASE_URL` is unset.
 * @property {string} dataDir              `TODODB_EXAMPLE_DATA_DIR`, default `examples/http-server/.data`.
 * @property {number | undefined} embeddedPort `TODODB_EXAMPLE_PG_PORT`; a free port when unset.
 * @property {string} logLevel             `LOG_LEVEL`, default `info`.
 */

/**
 * Reads the example server's settings from `env`. Throws an Error naming the variable at
 * fault; the message never contains the value (it could be a secret).
 *
 * @param {Record<string, string | undefined>} env
 * @returns {ServerConfig}
 */
export function readConfig(env) {
  return {
    port: readPort(env, 'PORT') ?? 3000,
    host: nonEmpty(env.HOST) ?? 'localhost',
    useEmbedded: nonEmpty(env.DATABASE_URL) === undefined,
    dataDir: resolve(nonEmpty(env.TODODB_EXAMPLE_DATA_DIR) ?? join(HERE, '.data')),
    embeddedPort: readPort(env, 'TODODB_EXAMPLE_PG_PORT'),
    logLevel: nonEmpty(env.LOG_LEVEL) ?? 'info',
  };
}

/**
 * @param {Record<string, string | undefined>} env
 * @param {string} name
 */
function readPort(env, name) {
  const text = nonEmpty(env[name]);
  if (text === undefined) return undefined;
  const port = /^\d+$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!Number.isInteger(port) || port > 65_535) {
    throw new Error(`Expected ${name} to be a port number (0 to 65535)`);
  }
  return port;
}

/** @param {string | undefined} value */
function nonEmpty(value) {
  return value === undefined || value.trim() === '' ? undefined : value;
}
