// The password is unreachable from the objects a debugger or a careless log line can print: not
// through util.inspect with hidden fields, on a handle whose pool holds open connections, whose
// models are loaded, and whose health probe has its own connection.
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { checkHealth, createDatabase } from '../src/index.js';
import { useDatabaseCopy } from './support/testDatabase.js';

const PASSWORD = 'hunter2_INSPECT_marker';

describe('util.inspect(db, { showHidden: true })', () => {
  const testDb = useDatabaseCopy();

  it('never shows the password, whatever the handle holds', async () => {
    const url = new URL(testDb.url);
    url.password = PASSWORD; // the test server trusts 127.0.0.1: the password is carried, never checked
    const db = createDatabase({ url: url.toString(), pool: { max: 2 } }, {});
    try {
      const user = await db.users.create({ email: 'inspect@example.com' });
      await Promise.all([db.tasks.list(user.id), db.tasks.list(user.id)]); // two pooled connections
      await db.models.User.count();
      expect((await checkHealth(db)).status).toBe('ok');
      await db.transaction(async (tx) => {
        const seen = inspect(tx, { showHidden: true, depth: 12 });
        expect(seen).not.toContain(PASSWORD);
      });
      // The handle reaches everything it holds: its pool and connections, its config, the probe's connection.
      const everything = inspect(db, { showHidden: true, depth: 16 });
      expect(everything).toContain('127.0.0.1'); // it did look inside the connection settings
      expect(everything).not.toContain(PASSWORD);
      for (const target of [db.sequelize, db.models.User]) {
        expect(inspect(target, { showHidden: true, depth: 12 })).not.toContain(PASSWORD);
      }
      expect(JSON.stringify(db.stats())).not.toContain(PASSWORD);
    } finally {
      await db.close();
    }
  });
});
