// src/schema/names.ts is the one home of the schema's names, but the released migrations write
// them as literals and are never edited. This ties the two together: a fresh database, migrated,
// has exactly the tables, constraints, indexes and policy that names.ts lists, each of the kind
// it says. A rename on either side fails here, not as a ConflictError on the field 'unknown'.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTING_USER_SETTING, CONSTRAINTS, type ConstraintKind, DEFAULT_SCHEMA, INDEXES, POLICIES, TABLES } from '../src/schema/names.js';
import { createDatabase, createMigrator, type Database } from '../src/index.js';
import { withClient } from './support/catalog.js';
import { useDatabaseCopy } from './support/testDatabase.js';

/** pg_constraint.contype of each kind; a `unique index` has no pg_constraint row. */
const CONTYPE: Record<Exclude<ConstraintKind, 'unique index'>, string> = { 'primary key': 'p', 'foreign key': 'f', check: 'c' };

/** The snake_case column of a service-layer field (`userId` → `user_id`). */
const columnOf = (field: string) => field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);

interface CatalogEntry {
  name: string;
  table: string;
  /** pg_constraint.contype, or null for an index that backs no constraint. */
  contype: string | null;
  unique: boolean | null;
  /** The constraint's or the index's definition, as pg_get_*def prints it. */
  definition: string;
}

describe('the names in src/schema/names.ts are the names a fresh migration creates', () => {
  const testDb = useDatabaseCopy({ migrated: false });
  let db: Database;
  let catalog: CatalogEntry[];
  const entry = (name: string) => catalog.find((row) => row.name === name);

  beforeAll(async () => {
    db = createDatabase({ url: testDb.url }, {});
    await createMigrator(db).up();
    // Constraints and indexes of tododb's own tables in the default schema; an index that backs
    // a constraint (the primary keys) counts once, as the constraint.
    catalog = await withClient(testDb.url, async (client) => {
      const { rows } = await client.query<CatalogEntry>(
        `SELECT c.conname::text AS name, r.relname::text AS "table", c.contype::text AS contype, NULL::boolean AS unique,
                pg_get_constraintdef(c.oid) AS definition
           FROM pg_constraint c JOIN pg_class r ON r.oid = c.conrelid
          WHERE r.relnamespace = $1::regnamespace AND r.relname = ANY ($2)
         UNION ALL
         SELECT i.relname::text, r.relname::text, NULL, x.indisunique, pg_get_indexdef(x.indexrelid)
           FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class r ON r.oid = x.indrelid
          WHERE r.relnamespace = $1::regnamespace AND r.relname = ANY ($2)
            AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid AND c.conrelid = x.indrelid)
`,
        [DEFAULT_SCHEMA, [TABLES.users, TABLES.tasks]],
      );
      return rows;
    });
  });
  afterAll(async () => {
    await db.close();
  });

  it('TABLES are the tables of the schema', async () => {
    const tables = await withClient(
      testDb.url,
      async (client) =>
        (
          await client.query<{ name: string }>(`SELECT tablename::text AS name FROM pg_tables WHERE schemaname = $1 ORDER BY 1`, [
            DEFAULT_SCHEMA,
          ])
        ).rows,
    );
    expect(tables.map((row) => row.name).sort()).toEqual(Object.values(TABLES).sort());
  });

  it.each(Object.entries(CONSTRAINTS))('CONSTRAINTS.%s exists on its table, of its kind, over its field', (_, constraint) => {
    const found = entry(constraint.name);
    expect(found, `${constraint.name} is not in the catalog`).toBeDefined();
    expect(found!.table).toBe(constraint.table);
    if (constraint.kind === 'unique index') {
      expect(found).toMatchObject({ contype: null, unique: true });
    } else {
      expect(found!.contype).toBe(CONTYPE[constraint.kind]);
    }
    // The field it is reported on is a column it covers (a foreign key's own column, not the one it references).
    expect(found!.definition.replace(/REFERENCES .*/, '')).toMatch(new RegExp(`\\b${columnOf(constraint.field)}\\b`));
  });

  it.each(Object.entries(INDEXES))('INDEXES.%s exists on its table as a plain index', (_, index) => {
    expect(entry(index.name), `${index.name} is not in the catalog`).toMatchObject({ table: index.table, contype: null, unique: false });
  });

  it('the catalog has no constraint or index that names.ts does not list', () => {
    const listed = [...Object.values(CONSTRAINTS), ...Object.values(INDEXES)].map((item) => item.name).sort();
    expect(catalog.map((row) => row.name).sort()).toEqual(listed);
  });

  it('POLICIES are the policies on their tables, and they read ACTING_USER_SETTING', async () => {
    const policies = await withClient(
      testDb.url,
      async (client) =>
        (
          await client.query<{ name: string; table: string; qual: string; with_check: string }>(
            `SELECT policyname::text AS name, tablename::text AS "table", qual, with_check FROM pg_policies WHERE schemaname = $1 ORDER BY 1`,
            [DEFAULT_SCHEMA],
          )
        ).rows,
    );
    expect(policies.map(({ name, table }) => ({ name, table }))).toEqual(Object.values(POLICIES));
    for (const policy of policies) {
      expect(policy.qual).toContain(`current_setting('${ACTING_USER_SETTING}'`);
      expect(policy.with_check).toContain(`current_setting('${ACTING_USER_SETTING}'`);
    }
  });
});
