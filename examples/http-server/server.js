// @ts-check
// The service's entry point: `node examples/http-server/server.js`, with DATABASE_URL set.
// It listens at once; the database plugin applies the migrations in the background and the
// API answers 503 until they are applied. SIGTERM or SIGINT closes it gracefully.
// This is the file to copy. `npm start` runs dev/start.js, which puts a throwaway PostgreSQL
// around it.
import { TododbError } from 'tododb';
import { buildApp } from './app.js';
import { createLogger } from './createLogger.js';
import { loadEnvFiles } from './loadEnvFiles.js';
import { readConfig } from './readConfig.js';

const SHUTDOWN_TIMEOUT_MS = 10_000;

// Defaults of this server that the environment may override: short timeouts, so that when the
// database goes away requests fail with a 503 within seconds instead of hanging.
const DATABASE_DEFAULTS = {
  DATABASE_CONNECT_TIMEOUT_MS: '3000',
  DATABASE_POOL_ACQUIRE_TIMEOUT_MS: '3000',
  DATABASE_APPLICATION_NAME: 'tododb-example',
};

const startedAt = performance.now();
const { env, files, config } = readSettingsOrExit();
const logger = await createLogger({ level: config.logLevel, env });
logger.info({ envFiles: files }, files.length > 0 ? `settings: ${files.join(', ')} and the environment` : 'settings: the environment');
const app = buildApp({ env: { ...DATABASE_DEFAULTS, ...env }, logger });

/** @type {Promise<void> | undefined} */
let closing;

/**
 * Closes the app (the requests in flight finish, then the database closes) and exits: `code`
 * when it closed cleanly, else 1. Runs once: a second signal changes nothing (Ctrl-C in a
 * terminal reaches every process of the group, and a supervisor may pass it on as well).
 *
 * @param {string} reason
 * @param {number} code
 */
function close(reason, code) {
  closing ??= (async () => {
    logger.info({ reason }, 'shutting down');
    setTimeout(() => {
      logger.error(`shutdown took longer than ${SHUTDOWN_TIMEOUT_MS / 1000} s, exiting anyway`);
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS).unref();
    const started = performance.now();
    try {
      await app.close();
      logger.info({ durationMs: Math.round(performance.now() - started) }, 'shut down');
      process.exit(code);
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  })();
  return closing;
}

process.on('SIGTERM', () => close('SIGTERM', 0));
process.on('SIGINT', () => close('SIGINT', 0));
process.on('uncaughtException', (error) => {
  logger.fatal({ err: error }, 'uncaught exception');
  close('uncaught exception', 1);
});

try {
  await app.listen({ port: config.port, host: config.host });
  logger.info({ startupMs: Math.round(performance.now() - startedAt) }, 'listening');
} catch (error) {
  // tododb's errors (a bad DATABASE_URL is a ConfigError) carry a stable code and a message
  // without secrets; anything else is logged whole, since it is a bug to look at.
  if (error instanceof TododbError) {
    logger.fatal({ code: error.code, reason: error.message }, `could not start: ${error.message}`);
  } else {
    logger.fatal({ err: error }, 'could not start');
  }
  await close('start failed', 1);
}

/** The environment with the .env files under it, and the server's settings read from it; or exit 1 saying which is wrong. */
function readSettingsOrExit() {
  try {
    const loaded = loadEnvFiles(process.cwd(), process.env);
    return { ...loaded, config: readConfig(loaded.env) };
  } catch (error) {
    process.stderr.write(`could not start: ${/** @type {Error} */ (error).message}\n`);
    process.exit(1);
  }
}
