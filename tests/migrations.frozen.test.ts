// tododb's released migrations are frozen: their checksums are recorded in every database they
// were applied to, and `migrate up` refuses to run where an applied migration has changed.
import { describe, expect, it } from 'vitest';
import { migrations } from '../migrations/index.js';
import { knownMigrations } from '../src/migrator/knownMigrations.js';

/**
 * The checksum of every released migration. NEVER EDIT A LINE HERE, and never edit a released
 * migration to make this test pass: every database that applied it would refuse `migrate up`
 * with MIGRATION_CHANGED. Change the schema with a new migration instead, and add its line here
 * when it is released.
 */
const RELEASED: Record<string, string> = {
  '0001-create-users': '84f049880727417e54b00f8f87ca4e6701376942f51eb10c71c286437cddb0a8',
  '0002-create-tasks': 'aab522fae5d1b8477634944d091b1864b94108fbe6f3ba5c64dd0aaacc12e4a1',
  '0003-tasks-row-level-security': '1488204b587068e31a3547ed1506e479d646f8cf241c87ac4f0f2a17d2fc89a8',
};

const FROZEN =
  'is released: never edit a released migration (databases that applied it would refuse `migrate up`); write a new migration instead';

describe("tododb's released migrations", () => {
  const known = knownMigrations(undefined);

  it.each(Object.entries(RELEASED))('%s keeps its released checksum', (name, checksum) => {
    const migration = known.find((candidate) => candidate.name === name);
    expect(migration, `${name} ${FROZEN}; it must not be removed or renamed either`).toBeDefined();
    expect(migration!.checksum, `${name} ${FROZEN}`).toBe(checksum);
  });

  it('are all still shipped, first and in their released order, before any new one', () => {
    expect(
      known.slice(0, Object.keys(RELEASED).length).map((migration) => migration.name),
      `a released migration ${FROZEN}`,
    ).toEqual(Object.keys(RELEASED));
  });

  it.each(migrations.map((migration) => [migration.name, migration] as const))(
    '%s runs exactly the checksummed text, whatever the schema',
    (_name, migration) => {
      // The schema is the only input: a value read from src/ (a limit, say) would change what an
      // old migration creates without changing its name.
      for (const direction of ['up', 'down'] as const) {
        const template = migration[direction]('"<schema>"');
        expect(migration[direction]('"tenant_a"')).toBe(template.replaceAll('"<schema>"', '"tenant_a"'));
      }
    },
  );
});
