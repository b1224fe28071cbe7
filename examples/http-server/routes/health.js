// @ts-check
import { checkHealth } from 'tododb';

/**
 * `GET /health`: the database's health report, 200 when `ok` and 503 when `error`; also the
 * readiness probe. `GET /health/live`: liveness, never touches the database, so a database
 * outage makes the service unready but never gets it restarted.
 *
 * @param {import('fastify').FastifyInstance} app
 * @param {{ db: import('tododb').Database, timeoutMs: number }} options
 */
export async function healthRoutes(app, { db, timeoutMs }) {
  app.get('/health', async (_request, reply) => {
    const report = await checkHealth(db, { timeoutMs });
    return reply
      .code(report.status === 'ok' ? 200 : 503)
      .header('cache-control', 'no-store')
      .send(report);
  });

  // Probed every few seconds: log only problems.
  app.get('/health/live', { logLevel: 'warn' }, async (_request, reply) => {
    return reply.header('cache-control', 'no-store').send({ status: 'ok' });
  });
}
