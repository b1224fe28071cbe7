// @ts-check
import fp from 'fastify-plugin';
import { createDatabase } from 'tododb';
import { migrateInBackground } from './migrateInBackground.js';

/**
 * @typedef {object} DatabasePluginOptions
 * @property {import('tododb').DatabaseConfig} [config] Options for `createDatabase()`; what it leaves out comes from `env`.
 * @property {import('tododb').Env} [env]  Where `createDatabase()` reads `DATABASE_URL` and the other settings; default `process.env`.
 * @property {import('./migrateInBackground.js').RetryOptions} [retry] Backoff of the migrations while the database is unreachable.
 */

/**
 * The app's tododb database, as a Fastify plugin that owns it: it creates the handle (a bad
 * configuration fails `app.listen()` with a `ConfigError` naming the setting), decorates the
 * app with it as `app.db`, applies the migrations in the background as `app.migrations` (so the
 * server listens at once, even while the database is down), and closes it in `onClose`, after
 * the requests in flight are done.
 *
 * Wrapped with `fastify-plugin` so that `app.db` is visible to the routes registered next to
 * it, not only inside this plugin.
 *
 * @example
 * ```js
 * app.register(databasePlugin, { env: process.env });
 * app.get('/users/:id', (request) => app.db.users.get(request.params.id));
 * ```
 */
export const databasePlugin = fp(
  /** @param {import('fastify').FastifyInstance} app @param {DatabasePluginOptions} options */
  async function database(app, { config = {}, env = process.env, retry }) {
    const db = createDatabase(config, env);
    const target = new URL(db.target); // already without the password; log less still
    const where = `${target.hostname}:${target.port || 5432}/${target.pathname.slice(1)}`;
    app.log.info(
      { database: { host: target.hostname, port: Number(target.port || 5432), database: target.pathname.slice(1) } },
      `database: ${where}`,
    );

    const migrations = migrateInBackground(db, app.log, retry);
    app.decorate('db', db);
    app.decorate('migrations', migrations);

    app.addHook('onClose', async () => {
      const started = performance.now();
      migrations.stop();
      await db.close();
      app.log.info({ durationMs: Math.round(performance.now() - started) }, 'closed database');
    });
  },
  { name: 'tododb-database', fastify: '5.x' },
);
