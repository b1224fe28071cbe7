// @ts-check
import { setTimeout as sleep } from 'node:timers/promises';
import { createMigrator } from 'tododb';

const RETRY_FOR_MS = 30_000;

/**
 * Applies tododb's pending migrations. Several instances may start at once: the migrator
 * serialises them with an advisory lock, and each migration is applied once. While the
 * database is unreachable (still starting, or a Neon endpoint waking up) it retries with
 * backoff for up to 30 s before giving up.
 *
 * @param {import('tododb').Database} db
 * @param {import('pino').Logger} logger
 * @returns {Promise<string[]>} the names applied by this process
 */
export async function migrateAtStart(db, logger) {
  const migrator = createMigrator(db, {
    onMigration: (event) => logger.info({ migration: event.name, outcome: event.outcome, durationMs: Math.round(event.durationMs) }, 'migration'),
  });
  const giveUpAt = Date.now() + RETRY_FOR_MS;
  for (let delayMs = 500; ; delayMs = Math.min(delayMs * 2, 5_000)) {
    try {
      return await migrator.up();
    } catch (error) {
      const code = /** @type {{ code?: unknown }} */ (error).code;
      if (code !== 'DATABASE_UNAVAILABLE' || Date.now() + delayMs > giveUpAt) throw error;
      logger.warn({ reason: /** @type {Error} */ (error).message, retryInMs: delayMs }, 'database unavailable, retrying migrations');
      await sleep(delayMs);
    }
  }
}
