// @ts-check
import { randomUUID } from 'node:crypto';
import Ajv from 'ajv';
import Fastify from 'fastify';
import { registerConsistencyToken } from './consistencyToken.js';
import { databasePlugin } from './databasePlugin.js';
import { notReadyProblem, registerProblemDetails, sendFrameworkProblem, sendProblem } from './problemDetails.js';
import { healthRoutes } from './routes/health.js';
import { tasksRoutes } from './routes/tasks.js';
import { usersRoutes } from './routes/users.js';

// An incoming X-Request-Id is kept when it looks like an id; anything else gets a fresh one,
// so a client cannot write arbitrary text into the logs.
const REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * @typedef {object} AppOptions
 * @property {import('tododb').Env} [env] Where the database reads `DATABASE_URL` and the other `DATABASE_*` settings; default `process.env`.
 * @property {import('tododb').DatabaseConfig} [database] Options for `createDatabase()`, over those of `env`.
 * @property {import('fastify').FastifyBaseLogger} [logger] A pino logger; nothing is logged without one.
 * @property {number} [healthTimeoutMs]  Upper bound of `GET /health`, default 2000.
 * @property {import('./migrateInBackground.js').RetryOptions} [migrationRetry] Backoff of the migrations while the database is unreachable.
 */

/**
 * Builds the HTTP API on top of tododb: the database plugin (which owns the database handle and
 * applies the migrations in the background), the routes, their schemas, problem details errors
 * and request ids. It does not listen: `server.js` does, tests call `listen({ port: 0 })`.
 * `app.close()` closes the database too.
 *
 * @param {AppOptions} [options]
 */
export function buildApp({ env = process.env, database = {}, logger, healthTimeoutMs = 2_000, migrationRetry } = {}) {
  const app = Fastify({
    ...(logger ? { loggerInstance: logger } : { logger: false }),
    genReqId: (request) => {
      const incoming = request.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    },
    bodyLimit: 128 * 1024,
    frameworkErrors: sendFrameworkProblem,
  });

  // Bodies are taken as sent: a string is never turned into a boolean, and unknown fields are
  // an error rather than silently dropped (Fastify's default AJV strips them). Query strings
  // and path parameters are text by nature, so there `?limit=20` becomes the integer 20.
  const settings = { allErrors: true, allowUnionTypes: true, removeAdditional: false, verbose: true };
  const strict = new Ajv({ ...settings, coerceTypes: false });
  const coercing = new Ajv({ ...settings, coerceTypes: true });
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? strict : coercing).compile(schema));

  // The API speaks JSON only: any other body is a 415, not a string to be validated.
  app.removeContentTypeParser('text/plain');

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  // While closing, a request still in flight gets `Connection: close`: otherwise its keep-alive
  // connection would hold app.close() until the client's idle timeout.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });

  registerProblemDetails(app);
  app.register(databasePlugin, { config: database, env, retry: migrationRetry });
  app.register(healthRoutes, { timeoutMs: healthTimeoutMs });
  app.register(
    async (api) => {
      // Until the migrations are applied the tables may not exist: every API route answers 503
      // (with Retry-After) instead of a 500 from a missing table.
      api.addHook('onRequest', async (_request, reply) => {
        if (!app.migrations.ready) return sendProblem(reply, notReadyProblem(app.migrations.reason));
      });
      registerConsistencyToken(api);
      api.register(usersRoutes);
      api.register(tasksRoutes);
    },
    { prefix: '/api' },
  );
  return app;
}
