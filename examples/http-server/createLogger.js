// @ts-check
import pino from 'pino';

/**
 * @typedef {object} LoggerOptions
 * @property {string} level  A pino level: `info`, `debug`, …
 * @property {Record<string, string | undefined>} env  Read for `NODE_ENV` only.
 * @property {{ write(line: string): unknown, isTTY?: boolean }} [output] Where lines go; default standard output.
 */

/**
 * The server's logger: pino's JSON lines, or, when a person is watching (the output is a
 * terminal and `NODE_ENV` is not `production`), the same lines made readable by pino-pretty.
 *
 * Lines are written synchronously either way, so the last ones before `process.exit()` are
 * not lost; that is also why pino-pretty is used as a formatting function here rather than as
 * a transport (a worker thread). pino-pretty is a development dependency: where it is not
 * installed the logger stays on JSON.
 *
 * @param {LoggerOptions} options
 * @returns {Promise<import('pino').Logger>}
 */
export async function createLogger({ level, env, output = process.stdout }) {
  const destination = output === process.stdout ? pino.destination({ fd: 1, sync: true }) : output;
  const format = output.isTTY === true && env.NODE_ENV !== 'production' ? await loadPrettyFormat() : undefined;
  if (format === undefined) return pino({ level }, destination);
  return pino({ level }, { write: (line) => destination.write(format(line)) });
}

/** @returns {Promise<((line: string) => string) | undefined>} */
async function loadPrettyFormat() {
  try {
    const { prettyFactory } = (await import('pino-pretty')).default;
    // Colours follow the terminal (and NO_COLOR, FORCE_COLOR), as pino-pretty decides by default.
    return prettyFactory({ translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' });
  } catch (error) {
    if (/** @type {NodeJS.ErrnoException} */ (error).code === 'ERR_MODULE_NOT_FOUND') return undefined;
    throw error;
  }
}
