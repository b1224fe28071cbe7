// @ts-check
// The example server's entry point, run by `npm start` at the repository root: reads the
// environment, starts an embedded PostgreSQL when DATABASE_URL is unset, applies migrations,
// listens on PORT and shuts down gracefully on SIGTERM and SIGINT.
import { config as loadDotenv } from 'dotenv';
import pino from 'pino';
import { createDatabase, TododbError } from 'tododb';
import { buildApp } from './app.js';
import { createShutdown } from './createShutdown.js';
import { startEmbeddedPostgres } from './embeddedPostgres.js';
import { migrateAtStart } from './migrateAtStart.js';
import { readConfig } from './readConfig.js';

const SHUTDOWN_TIMEOUT_MS = 10_000;

// Defaults of this example that the environment may override: short timeouts, so that when the
// database goes away requests fail with a 503 within seconds instead of hanging.
const EXAMPLE_DEFAULTS = {
  DATABASE_CONNECT_TIMEOUT_MS: '3000',
  DATABASE_POOL_ACQUIRE_TIMEOUT_MS: '3000',
  DATABASE_APPLICATION_NAME: 'tododb-example',
};

const startedAt = performance.now();
loadDotenv({ quiet: true });
const config = readConfigOrExit();
// Synchronous writes: the last lines before process.exit() must not be lost.
const logger = pino({ level: config.logLevel }, pino.destination({ fd: 1, sync: true }));
const shutdown = createShutdown(logger);

/**
 * Closes what was started and exits: `code` when everything closed cleanly, else 1. Exiting
 * explicitly also ends the process when something would keep the event loop alive.
 *
 * @param {string} reason
 * @param {number} code
 */
async function exit(reason, code) {
  setTimeout(() => {
    logger.error(`shutdown took longer than ${SHUTDOWN_TIMEOUT_MS / 1000} s, exiting anyway`);
    process.exit(1);
  }, SHUTDOWN_TIMEOUT_MS).unref();
  const clean = await shutdown.run(reason);
  process.exit(clean ? code : 1);
}

process.once('SIGTERM', () => exit('SIGTERM', 0));
process.once('SIGINT', () => exit('SIGINT', 0));
// `npm start` runs this under `sh -c`, which dies on SIGTERM without passing it on: a process
// manager that stops `npm start` would leave the server orphaned. Losing the parent is therefore
// a signal to shut down too.
const parentPid = process.ppid;
setInterval(() => {
  if (process.ppid !== parentPid) exit('parent process exited', 0);
}, 500).unref();
process.on('uncaughtException', (error) => {
  logger.fatal({ err: error }, 'uncaught exception');
  exit('uncaught exception', 1);
});

try {
  let url;
  if (config.useEmbedded) {
    const embedded = await startEmbeddedPostgres({
      dataDir: config.dataDir,
      port: config.embeddedPort,
      onLog: (line) => logger.debug({ postgres: line }, 'embedded PostgreSQL'),
    });
    shutdown.add('embedded PostgreSQL', () => embedded.stop());
    const { host, port, database, dataDir } = embedded.location;
    logger.info({ database: { host, port, database }, dataDir }, `database: embedded PostgreSQL on ${host}:${port}, database ${database}, data in ${dataDir}`);
    url = embedded.url;
  }

  const db = createDatabase(url === undefined ? {} : { url }, { ...EXAMPLE_DEFAULTS, ...process.env });
  shutdown.add('database pool', () => db.close());
  if (!config.useEmbedded) {
    const target = new URL(db.target); // already without the password; log less still
    logger.info({ database: { host: target.hostname, port: Number(target.port || 5432), database: target.pathname.slice(1) } }, `database: ${target.hostname}:${target.port || 5432}/${target.pathname.slice(1)} (DATABASE_URL)`);
  }

  const applied = await migrateAtStart(db, logger);
  logger.info({ applied }, applied.length > 0 ? `applied ${applied.length} migration(s)` : 'schema up to date');

  const app = buildApp({ db, logger });
  shutdown.add('HTTP server', () => app.close());
  await app.listen({ port: config.port, host: config.host });
  logger.info({ startupMs: Math.round(performance.now() - startedAt) }, 'ready');
} catch (error) {
  logStartFailure(error);
  await exit('start failed', 1);
}

/** @returns {import('./readConfig.js').ServerConfig} */
function readConfigOrExit() {
  try {
    return readConfig(process.env);
  } catch (error) {
    process.stderr.write(`${/** @type {Error} */ (error).message}\n`);
    process.exit(1);
  }
}

// tododb's errors carry a stable code and a message without secrets; anything else is logged
// whole, since it is a bug to look at.
/** @param {unknown} error */
function logStartFailure(error) {
  if (error instanceof TododbError) {
    logger.fatal({ code: error.code, reason: error.message }, `could not start: ${error.message}`);
  } else {
    logger.fatal({ err: error }, 'could not start');
  }
}
