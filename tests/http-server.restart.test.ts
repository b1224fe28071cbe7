// The database goes away under the running example server and comes back: the server stays
// up, answers /health with 503 within 5 s and the API with 503 problem details, and recovers
// by itself (no restart) once PostgreSQL is back. Runs on an embedded PostgreSQL of its own,
// stopped and started again on the same port and data folder.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createDatabase, createMigrator } from 'tododb';
import { startEmbeddedPostgres, type EmbeddedServer } from './support/embeddedPostgres.js';
import { startExampleServer, type ApiResponse, type ExampleServer } from './support/exampleServer.js';

let postgres: EmbeddedServer;
let server: ExampleServer;

beforeAll(async () => {
  postgres = await startEmbeddedPostgres({ keep: true });
  const db = createDatabase({ url: postgres.url }, {});
  try {
    await createMigrator(db).up();
  } finally {
    await db.close();
  }
  server = await startExampleServer(postgres.url);
});

afterAll(async () => {
  await server?.close();
  await postgres?.stop();
  if (postgres) rmSync(postgres.dataDir, { recursive: true, force: true });
});

/** Polls `path` until it answers `status`; returns how long that took, in ms. */
async function waitForStatus(path: string, status: number, withinMs: number): Promise<{ ms: number; response: ApiResponse }> {
  const started = performance.now();
  for (;;) {
    const response = await server.request('GET', path);
    const ms = performance.now() - started;
    if (response.status === status) return { ms, response };
    if (ms > withinMs) throw new Error(`GET ${path} still answers ${response.status} after ${Math.round(ms)} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

it('answers 503 while the database is down and recovers by itself when it is back', { timeout: 90_000 }, async () => {
  const before = await server.request('POST', '/api/users', { body: { email: 'before@example.com' } });
  expect(before.status).toBe(201);
  expect((await server.request('GET', '/health')).status).toBe(200);

  await postgres.stop();

  const down = await waitForStatus('/health', 503, 5_000);
  expect(down.ms).toBeLessThan(5_000);
  expect(down.response.body).toMatchObject({ status: 'error', reason: expect.any(String), latencyMs: expect.any(Number) });

  const writeStarted = performance.now();
  const write = await server.request('POST', '/api/users', { body: { email: 'during@example.com' } });
  const writeMs = performance.now() - writeStarted;
  expect(write.status).toBe(503);
  expect(write.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(write.headers.get('retry-after')).toMatch(/^\d+$/);
  expect(write.body).toMatchObject({
    status: 503,
    code: 'DATABASE_UNAVAILABLE',
    type: expect.any(String),
    title: expect.any(String),
    detail: expect.any(String),
  });
  expect(writeMs).toBeLessThan(5_000);
  const read = await server.request('GET', `/api/users/${before.body.id}`);
  expect(read.status).toBe(503);
  // Liveness does not depend on the database: nobody should restart this process.
  expect((await server.request('GET', '/health/live')).status).toBe(200);

  postgres = await startEmbeddedPostgres({ keep: true, port: postgres.port, dataDir: postgres.dataDir });

  const up = await waitForStatus('/health', 200, 15_000);
  const after = await server.request('POST', '/api/users', { body: { email: 'after@example.com' } });
  expect(after.status).toBe(201);
  expect((await server.request('GET', `/api/users/${before.body.id}`)).status).toBe(200);
  console.info(
    `database down: /health 503 after ${Math.round(down.ms)} ms, a write 503 in ${Math.round(writeMs)} ms; back: /health 200 after ${Math.round(up.ms)} ms`,
  );
});
