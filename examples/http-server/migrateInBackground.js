// @ts-check
import { setTimeout as sleep } from 'node:timers/promises';
import { createMigrator } from 'tododb';

// Errors worth another attempt: the database is not there yet (starting, restarting, a Neon
// compute waking up, a wrong password being fixed) or another instance holds the migration
// lock. Anything else (a migration that fails, a table tododb did not create) would fail the
// same way again, so it is reported once and not retried.
const TRANSIENT = new Set(['DATABASE_UNAVAILABLE', 'QUERY_TIMEOUT', 'MIGRATION_LOCK_TIMEOUT']);

/**
 * Where the migrations started by {@link migrateInBackground} are.
 *
 * @typedef {object} BackgroundMigrations
 * @property {boolean} ready     true once every migration is applied; it stays true.
 * @property {string} reason     Why the schema is not ready, in a few words; `''` once ready.
 * @property {Promise<void>} settled Resolves when the attempts end: applied, failed for good, or stopped. Never rejects.
 * @property {() => void} stop   Stops retrying at once. An attempt under way is left to finish or fail
 *   on its own: each migration runs in a transaction, so one cut off by the process exiting is rolled back.
 */

/**
 * @typedef {object} RetryOptions
 * @property {number} [initialDelayMs] Wait after the first failure, default 250; doubled after each one.
 * @property {number} [maxDelayMs]     Longest wait between attempts, default 2000. It bounds how
 *   long the server stays unready after the database comes back: at most this, plus one attempt.
 */

/**
 * Applies tododb's pending migrations without holding up the caller, retrying with capped
 * exponential backoff while the database is unreachable. Each failed attempt is one short log
 * line (tododb's messages carry no URL or password). Several instances may do this at once:
 * the migrator serialises them with an advisory lock and applies each migration once.
 *
 * @param {import('tododb').Database} db
 * @param {import('fastify').FastifyBaseLogger} logger
 * @param {RetryOptions} [retry]
 * @returns {BackgroundMigrations}
 */
export function migrateInBackground(db, logger, { initialDelayMs = 250, maxDelayMs = 2_000 } = {}) {
  const migrator = createMigrator(db, {
    onMigration: (event) => logger.info({ migration: event.name, outcome: event.outcome, durationMs: event.durationMs }, 'migration'),
  });
  const stopped = new AbortController();
  const state = { ready: false, reason: 'the migrations are not applied yet' };

  const run = async () => {
    const started = performance.now();
    for (let attempt = 1, delayMs = initialDelayMs; ; attempt += 1, delayMs = Math.min(delayMs * 2, maxDelayMs)) {
      try {
        const applied = await untilStopped(migrator.up(), stopped.signal);
        if (applied === STOPPED) return;
        Object.assign(state, { ready: true, reason: '' });
        const waitedMs = Math.round(performance.now() - started);
        logger.info(
          { applied, attempts: attempt, waitedMs },
          applied.length > 0 ? `applied ${applied.length} migration(s); database ready` : 'schema up to date; database ready',
        );
        return;
      } catch (error) {
        if (stopped.signal.aborted) return;
        const { code, message } = describe(error);
        if (!TRANSIENT.has(code)) {
          state.reason = `the migrations failed: ${message}`;
          logger.error({ code, reason: message }, 'migrations failed; not retrying (fix the cause and restart)');
          return;
        }
        // Equal jitter: instances that lost the database together do not retry in lockstep.
        const waitMs = Math.round(delayMs / 2 + (Math.random() * delayMs) / 2);
        state.reason = `the database is unreachable, so the migrations are not applied yet (${message})`;
        logger.warn({ code, reason: message, attempt, retryInMs: waitMs }, 'migrations not applied yet; retrying');
        const slept = await sleep(waitMs, true, { signal: stopped.signal }).catch(() => false);
        if (!slept) return;
      }
    }
  };

  const settled = run().catch((error) => {
    // Only a bug lands here; keep the server up (503) and say so.
    state.reason = 'the migrations could not be run';
    logger.error({ err: error }, 'migrations: unexpected error');
  });

  return {
    get ready() {
      return state.ready;
    },
    get reason() {
      return state.reason;
    },
    settled,
    stop: () => stopped.abort(),
  };
}

const STOPPED = Symbol('stopped');

/**
 * `promise`, or {@link STOPPED} as soon as `signal` aborts. Shutdown must not wait for an
 * attempt that may take a connect timeout to fail; its late outcome is ignored.
 *
 * @template T
 * @param {Promise<T>} promise
 * @param {AbortSignal} signal
 * @returns {Promise<T | typeof STOPPED>}
 */
function untilStopped(promise, signal) {
  promise.catch(() => {}); // settled later than the race below: not an unhandled rejection
  return new Promise((resolve, reject) => {
    if (signal.aborted) return resolve(STOPPED);
    const onAbort = () => resolve(STOPPED);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** @param {unknown} error @returns {{ code: string, message: string }} */
function describe(error) {
  const { code, message } = /** @type {{ code?: unknown, message?: unknown }} */ (error ?? {});
  return { code: typeof code === 'string' ? code : 'UNKNOWN', message: String(message ?? error) };
}
