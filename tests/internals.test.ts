// tododb reaches into a few undocumented members of pg and Sequelize (each in one module:
// src/connection/pgInternals.ts, src/sequelize/sequelizeInternals.ts). An upgrade that renames or
// removes one would break tododb silently; this test fails first, naming the member.
import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { PG_INTERNALS, PG_QUERY_INTERNALS, queryClassOf } from '../src/connection/pgInternals.js';
import { SEQUELIZE_INTERNALS } from '../src/sequelize/sequelizeInternals.js';
import { connectionsOf } from '../src/database/createDatabase.js';
import { createDatabase } from '../src/index.js';
import { useDatabaseCopy } from './support/testDatabase.js';

function has(object: unknown, path: string): boolean {
  let current = object as Record<string, unknown> | undefined;
  for (const key of path.split('.')) {
    if (current === null || typeof current !== 'object' || !(key in current)) return false;
    current = current[key] as Record<string, unknown> | undefined;
  }
  return true;
}

describe('the private members tododb relies on', () => {
  const testDb = useDatabaseCopy();

  it.each(PG_INTERNALS)('pg: a connected client has %s', async (member) => {
    const db = createDatabase({ url: testDb.url, pool: { max: 1 } }, {});
    try {
      // Inside a transaction: the client is checked out and, while a statement runs, has an active query.
      await db.transaction(async () => {
        const client = connectionsOf(db).currentScope()!.client;
        const running = client.query('SELECT pg_sleep(0.05)');
        expect(has(client, member), `pg no longer has ${member}: update src/connection/pgInternals.ts`).toBe(true);
        if (member === '_activeQuery') expect((client as unknown as { _activeQuery: unknown })._activeQuery).toBeTruthy();
        await running;
      });
    } finally {
      await db.close();
    }
  });

  it.each(PG_QUERY_INTERNALS)('pg: a Query made from a text has %s', (member) => {
    const Query = queryClassOf(pg.Client);
    expect(Query, 'pg no longer has Client.Query: update src/connection/pgInternals.ts').toBeTypeOf('function');
    const query = new Query!('SELECT 1', [], () => {});
    if (member !== 'Client.Query')
      expect(has(query, member), `pg's Query no longer has ${member}: update src/connection/pgInternals.ts`).toBe(true);
  });

  it.each(SEQUELIZE_INTERNALS)('Sequelize: %s', async (member) => {
    const db = createDatabase({ url: testDb.url }, {});
    try {
      const [owner, path] = member.split(/#/).length === 2 ? ['transaction', member.split('#')[1]!] : ['sequelize', member];
      if (path.startsWith('Sequelize.')) {
        // A static of the Sequelize class.
        const statics = db.sequelize.constructor as unknown as Record<string, unknown>;
        expect(typeof statics[path.slice('Sequelize.'.length)], `Sequelize no longer has ${member}`).toBe('function');
        return;
      }
      if (owner === 'sequelize') {
        expect(
          typeof (db.sequelize as unknown as Record<string, Record<string, unknown>>).connectionManager?.[path.split('.')[1]!],
          `Sequelize no longer has ${member}`,
        ).toBe('function');
        return;
      }
      await db.transaction(async (tx) => {
        const transaction = tx.transaction as unknown as Record<string, unknown>;
        expect(
          path in transaction || path === 'finished',
          `Sequelize's Transaction no longer has ${path}: update src/sequelize/sequelizeInternals.ts`,
        ).toBe(true);
        if (path === '_afterCommitHooks') expect(Array.isArray(transaction._afterCommitHooks)).toBe(true);
      });
      // `finished` is set by Sequelize's own commit(); after ours it must read 'commit' as well.
      let kept: Record<string, unknown> | undefined;
      await db.transaction(async (tx) => {
        kept = tx.transaction as unknown as Record<string, unknown>;
      });
      expect(kept?.finished).toBe('commit');
    } finally {
      await db.close();
    }
  });
});
