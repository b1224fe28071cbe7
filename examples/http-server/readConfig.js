// @ts-check

/**
 * The server's own settings, read once from the environment. The database's settings
 * (`DATABASE_URL`, `DATABASE_*`) are not here: `createDatabase()` reads them.
 *
 * @typedef {object} ServerConfig
 * @property {number} port       `PORT`, default 3000.
 * @property {string} host       `HOST`, default `localhost` (use `0.0.0.0` in a container).
 * @property {string} logLevel   `LOG_LEVEL`, default `info`.
 */

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * Reads the server's settings from `env`. Throws an Error naming the variable at fault; the
 * message never contains the value (it could be a secret pasted in the wrong place).
 *
 * @param {Record<string, string | undefined>} env
 * @returns {ServerConfig}
 */
export function readConfig(env) {
  const logLevel = nonEmpty(env.LOG_LEVEL) ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new Error(`Expected LOG_LEVEL to be one of ${LOG_LEVELS.join(', ')}`);
  }
  return {
    port: readPort(env, 'PORT') ?? 3000,
    host: nonEmpty(env.HOST) ?? 'localhost',
    logLevel,
  };
}

/**
 * A port number from `env[name]`, or undefined when it is unset or empty.
 *
 * @param {Record<string, string | undefined>} env
 * @param {string} name
 */
export function readPort(env, name) {
  const text = nonEmpty(env[name]);
  if (text === undefined) return undefined;
  const port = /^\d+$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!Number.isInteger(port) || port > 65_535) {
    throw new Error(`Expected ${name} to be a port number (0 to 65535)`);
  }
  return port;
}

/** @param {string | undefined} value */
export function nonEmpty(value) {
  return value === undefined || value.trim() === '' ? undefined : value;
}
