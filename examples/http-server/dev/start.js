// @ts-check
// What `npm start` runs, for a demo or development on a machine with no database: when
// DATABASE_URL is unset it starts an embedded PostgreSQL (data in dev/.data), then runs the
// real entry point, ../server.js, in a child process with DATABASE_URL pointing at it. Signals
// are passed on to the server; once it has exited, the embedded PostgreSQL is stopped and this
// process exits with the server's exit code.
//
// Not a file to copy: a deployed service runs `node server.js` against its own database.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createLogger } from '../createLogger.js';
import { loadEnvFiles } from '../loadEnvFiles.js';
import { startEmbeddedPostgres } from './embeddedPostgres.js';
import { readDevConfig } from './readDevConfig.js';
import { watchParent } from './watchParent.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const SERVER = join(HERE, '..', 'server.js');
const EXIT_WITH_PARENT = pathToFileURL(join(HERE, 'exitWithParent.js')).href;
// Longer than the server's own 10 s bound, so that normally the server decides.
const SERVER_EXIT_TIMEOUT_MS = 15_000;

const { config, env } = readSettingsOrExit();
const logger = await createLogger({ level: config.logLevel, env });

/** @type {import('./embeddedPostgres.js').EmbeddedPostgres | undefined} */
let embedded;
/** @type {import('node:child_process').ChildProcess | undefined} */
let server;
/** @type {string | undefined} */
let stopRequested;

/**
 * Passes a stop on to the server (which then exits, and `finish` follows), or, before the
 * server runs, makes the start give up. Runs once.
 *
 * @param {string} reason
 * @param {NodeJS.Signals} signal
 */
function requestStop(reason, signal) {
  if (stopRequested !== undefined) return;
  stopRequested = reason;
  if (server === undefined) return;
  server.kill(signal);
  setTimeout(() => server?.kill('SIGKILL'), SERVER_EXIT_TIMEOUT_MS).unref();
}

/**
 * Stops the embedded PostgreSQL, if any, and exits with `code` (1 when it could not be stopped).
 *
 * @param {number} code
 * @returns {Promise<never>}
 */
async function finish(code) {
  if (embedded !== undefined) {
    const started = performance.now();
    try {
      await embedded.stop();
      logger.info({ durationMs: Math.round(performance.now() - started) }, 'closed embedded PostgreSQL');
    } catch (error) {
      logger.error({ err: error }, 'stopping embedded PostgreSQL failed');
      code = 1;
    }
  }
  process.exit(code);
}

process.on('SIGTERM', () => requestStop('SIGTERM', 'SIGTERM'));
process.on('SIGINT', () => requestStop('SIGINT', 'SIGINT'));
watchParent(() => requestStop('parent process exited', 'SIGTERM'));

if (config.useEmbedded) {
  try {
    embedded = await startEmbeddedPostgres({
      dataDir: config.dataDir,
      port: config.embeddedPort,
      onLog: (line) => logger.debug({ postgres: line }, 'embedded PostgreSQL'),
    });
    const { host, port, database, dataDir } = embedded.location;
    logger.info(
      { database: { host, port, database }, dataDir },
      `database: embedded PostgreSQL on ${host}:${port}, database ${database}, data in ${dataDir}`,
    );
  } catch (error) {
    logger.fatal({ reason: /** @type {Error} */ (error).message }, 'could not start the embedded PostgreSQL');
    await finish(1);
  }
}
if (stopRequested !== undefined) {
  logger.info({ reason: stopRequested }, 'stopped before the server started');
  await finish(0);
}

// The URL (with the embedded database's password) goes to the server in its environment,
// where a real deployment's DATABASE_URL would be; it is never logged.
const serverEnv = embedded === undefined ? process.env : { ...process.env, DATABASE_URL: embedded.url };
server = spawn(process.execPath, ['--import', EXIT_WITH_PARENT, SERVER], { stdio: 'inherit', env: serverEnv });
server.once('exit', (code, signal) => {
  if (signal !== null) logger.error({ signal }, `the server was killed by ${signal}`);
  void finish(code ?? 1);
});

/** The environment with the .env files under it, as the server will read it, and this wrapper's settings from it. */
function readSettingsOrExit() {
  try {
    const { env } = loadEnvFiles(process.cwd(), process.env);
    return { env, config: readDevConfig(env) };
  } catch (error) {
    process.stderr.write(`could not start: ${/** @type {Error} */ (error).message}\n`);
    process.exit(1);
  }
}
