// @ts-check
import { checkHealth } from 'tododb';

/**
 * `GET /health`: the database's health report, 200 when `ok` and 503 when `error`; also the
 * readiness probe. Until the migrations are applied the report says `error` too, with the
 * reason, so no traffic is sent to an instance whose tables may not exist yet.
 * `GET /health/live`: liveness, never touches the database, so a database outage makes the
 * service unready but never gets it restarted.
 *
 * @param {import('fastify').FastifyInstance} app
 * @param {{ timeoutMs: number }} options
 */
export async function healthRoutes(app, { timeoutMs }) {
  app.get('/health', async (_request, reply) => {
    const report = await checkHealth(app.db, { timeoutMs });
    const { migrations } = app;
    // While the database is down its own reason says more than "not migrated yet".
    const body = migrations.ready || report.status === 'error' ? report : { ...report, status: 'error', reason: migrations.reason };
    return reply
      .code(body.status === 'ok' ? 200 : 503)
      .header('cache-control', 'no-store')
      .send(body);
  });

  // Probed every few seconds: log only problems.
  app.get('/health/live', { logLevel: 'warn' }, async (_request, reply) => {
    return reply.header('cache-control', 'no-store').send({ status: 'ok' });
  });
}
