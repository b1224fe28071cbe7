import { randomBytes } from 'node:crypto';
import { quoted } from '../schema/names.js';
import type { AdminServer } from './AdminServer.js';
import { serverErrorCode } from './serverErrorCode.js';
import { DATABASE_PREFIX } from './templateName.js';

const OBJECT_IN_USE = '55006';
const INVALID_CATALOG_NAME = '3D000';
// Each attempt already waits up to 5 s inside the server for the other session to leave.
const ATTEMPTS = 3;

/**
 * Creates a new database as a copy of `template` and returns its name (`tododb_test_` and 16
 * random hex digits), or `undefined` when the template no longer exists (someone dropped it
 * since it was looked up), so that the caller can build it again.
 *
 * Copies of one template may be made at once from any number of sessions; PostgreSQL only
 * refuses while a session is *connected* to the template, which the kit's templates do not
 * allow. An attempt that still meets one (a superuser's, say) is retried.
 */
export async function cloneDatabase(admin: AdminServer, template: string): Promise<string | undefined> {
  const name = `${DATABASE_PREFIX}${randomBytes(8).toString('hex')}`;
  return admin.withClient('create a test database', async (client) => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await client.query(`CREATE DATABASE ${quoted(name)} TEMPLATE ${quoted(template)}`);
        return name;
      } catch (error) {
        const code = serverErrorCode(error);
        if (code === INVALID_CATALOG_NAME) return undefined;
        if (code !== OBJECT_IN_USE || attempt === ATTEMPTS) throw error;
      }
    }
  });
}
