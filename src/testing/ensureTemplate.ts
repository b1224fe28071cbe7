import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { TododbError } from 'tododb';
import { quoted } from '../schema/names.js';
import type { AdminServer } from './AdminServer.js';
import { dropDatabaseOn } from './dropDatabase.js';
import { serverErrorCode } from './serverErrorCode.js';
import type { TemplateIdentity } from './templateName.js';

/**
 * How long a process waits for another one to finish building the same template. A build
 * is one CREATE DATABASE and the migrations, seconds at most; a wait this long means the
 * builder hangs.
 */
export const TEMPLATE_LOCK_TIMEOUT_MS = 120_000;

const LOCK_NOT_AVAILABLE = '55P03';

/**
 * Makes sure the migrated template exists on the server, building it when it does not.
 *
 * Safe from any number of processes at once: the build runs under a session advisory lock
 * keyed by the template, held on the one admin connection that does the work. It migrates a
 * database under a temporary name, marks it a template that accepts no connections, and only
 * then renames it to its final name, so a template that can be found by its name is complete
 * and nothing can be connected to it when it is cloned. A build that died half-way (its
 * process killed; its lock released with its connection) leaves a temporary database that
 * the next builder drops.
 *
 * `migrate` receives the temporary database's URL and must close every connection it opens.
 */
export async function ensureTemplate(
  admin: AdminServer,
  template: TemplateIdentity,
  migrate: (url: string) => Promise<void>,
): Promise<void> {
  if (await admin.withClient('look up the test template', (client) => templateExists(client, template.name))) return;

  await admin.withClient('build the test template', async (client) => {
    // The session is ours alone: bound the wait for the lock, and lift any statement_timeout
    // of the role so that it cannot cut the wait (or CREATE DATABASE) short.
    await client.query(`SET lock_timeout = ${TEMPLATE_LOCK_TIMEOUT_MS}; SET statement_timeout = 0`);
    try {
      await client.query('SELECT pg_advisory_lock($1::bigint)', [template.lockKey]);
    } catch (error) {
      if (serverErrorCode(error) !== LOCK_NOT_AVAILABLE) throw error;
      throw new TododbError(
        'TEST_TEMPLATE_LOCK_TIMEOUT',
        `Timed out after ${TEMPLATE_LOCK_TIMEOUT_MS / 1000} s waiting for another process to build the test template ${template.name}`,
        { cause: error },
      );
    }
    try {
      // Another process may have built it while this one waited for the lock.
      if (await templateExists(client, template.name)) return;
      await dropLeftovers(client, template.name);
      const building = `${template.name}_${randomBytes(4).toString('hex')}`;
      await client.query(`CREATE DATABASE ${quoted(building)} TEMPLATE template0`);
      try {
        await migrate(admin.databaseUrl(building));
        await client.query(`ALTER DATABASE ${quoted(building)} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false`);
        // Waits (up to 5 s, in the server) for the migration's connections to finish closing.
        await client.query(`ALTER DATABASE ${quoted(building)} RENAME TO ${quoted(template.name)}`);
      } catch (error) {
        await dropDatabaseOn(client, building).catch(() => {});
        throw error;
      }
    } finally {
      // Also released when the connection closes; unlocking first lets a waiter go at once.
      await client.query('SELECT pg_advisory_unlock($1::bigint)', [template.lockKey]).catch(() => {});
    }
  });
}

async function templateExists(client: pg.Client, name: string): Promise<boolean> {
  const { rows } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1 AND datistemplate', [name]);
  return rows.length > 0;
}

// Temporary databases of builds of this template that never finished. Only the lock's holder
// builds, and it holds the lock: none of them belongs to a build still running.
async function dropLeftovers(client: pg.Client, template: string): Promise<void> {
  const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [
    `${template}_`,
  ]);
  for (const { datname } of rows) await dropDatabaseOn(client, datname);
}
