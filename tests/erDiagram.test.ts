// The README's mermaid ER diagram against the schema the migrations make: every table, column,
// type, key and nullability, and every foreign key as a relationship, read from
// information_schema of a migrated database. A migration that changes the schema without the
// diagram (or the reverse) fails here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useDatabaseCopy } from './support/testDatabase.js';
import { REPO_ROOT, query } from './fixtures/cli.js';

interface Column {
  name: string;
  type: string;
  keys: string[];
  nullable: boolean;
}

/** The one ```mermaid erDiagram block of the README: its tables and its relationship lines. */
function readDiagram(): { tables: Record<string, Column[]>; relationships: string[] } {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```mermaid\n(erDiagram\n[\s\S]*?)```/g)].map((match) => match[1]!);
  expect(blocks, 'one mermaid erDiagram block in README.md').toHaveLength(1);
  const tables: Record<string, Column[]> = {};
  const relationships: string[] = [];
  let current: Column[] | undefined;
  for (const raw of blocks[0]!.split('\n').slice(1)) {
    const line = raw.trim();
    if (line === '') continue;
    if (current !== undefined) {
      if (line === '}') {
        current = undefined;
        continue;
      }
      // `type name [PK|FK|UK[, …]] ["comment"]`
      const attribute = /^(\S+) (\S+)((?: (?:PK|FK|UK),?)*)(?: "([^"]*)")?$/.exec(line);
      expect(attribute, `attribute line: ${line}`).not.toBeNull();
      const [, type, name, keys, comment] = attribute!;
      current.push({
        name: name!,
        type: type!,
        keys: keys!.split(/[ ,]+/).filter(Boolean).sort(),
        nullable: /\bnullable\b/.test(comment ?? ''),
      });
      continue;
    }
    const entity = /^(\w+) \{$/.exec(line);
    if (entity) {
      current = tables[entity[1]!] = [];
      continue;
    }
    expect(line, 'a relationship line').toMatch(/^\w+ \S{4,6} \w+ : "[^"]*"$/);
    relationships.push(line);
  }
  return { tables, relationships };
}

/** information_schema's type, as the diagram writes it (PostgreSQL's short names). */
function shortType(column: { data_type: string; character_maximum_length: number | null; datetime_precision: number | null }): string {
  switch (column.data_type) {
    case 'character varying':
      return `varchar(${column.character_maximum_length})`;
    case 'timestamp with time zone':
      // 6 is PostgreSQL's default precision, which `timestamptz` alone means.
      return column.datetime_precision === 6 ? 'timestamptz' : `timestamptz(${column.datetime_precision})`;
    case 'uuid':
    case 'text':
    case 'boolean':
      return column.data_type;
    default:
      throw new Error(`No short name for type "${column.data_type}" yet: add it here and to the diagram`);
  }
}

describe('the ER diagram in the README', () => {
  const testDb = useDatabaseCopy();

  it('shows every table and column the migrations create, with its type, keys and nullability', async () => {
    const columns = await query<{
      table_name: string;
      column_name: string;
      data_type: string;
      character_maximum_length: number | null;
      datetime_precision: number | null;
      is_nullable: 'YES' | 'NO';
    }>(
      testDb.url,
      `SELECT table_name, column_name, data_type, character_maximum_length, datetime_precision, is_nullable
         FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position`,
    );
    const keys = await query<{ table_name: string; column_name: string; key: 'PK' | 'FK' }>(
      testDb.url,
      `SELECT kcu.table_name, kcu.column_name, CASE tc.constraint_type WHEN 'PRIMARY KEY' THEN 'PK' ELSE 'FK' END AS key
         FROM information_schema.table_constraints tc
         JOIN information_schema.key_column_usage kcu USING (constraint_schema, constraint_name)
        WHERE tc.table_schema = current_schema() AND tc.constraint_type IN ('PRIMARY KEY', 'FOREIGN KEY')`,
    );
    const schema: Record<string, Column[]> = {};
    for (const column of columns) {
      const table = schema[column.table_name] ?? [];
      schema[column.table_name] = table;
      table.push({
        name: column.column_name,
        type: shortType(column),
        keys: keys
          .filter((key) => key.table_name === column.table_name && key.column_name === column.column_name)
          .map((key) => key.key)
          .sort(),
        nullable: column.is_nullable === 'YES',
      });
    }
    expect(Object.keys(schema).sort()).toEqual(['tasks', 'tododb_migrations', 'users']);
    expect(readDiagram().tables).toEqual(schema);
  });

  it('draws every foreign key as a relationship, with its column and delete rule', async () => {
    const foreignKeys = await query<{
      table_name: string;
      column_name: string;
      referenced: string;
      delete_rule: string;
      is_nullable: 'YES' | 'NO';
    }>(
      testDb.url,
      `SELECT kcu.table_name, kcu.column_name, ccu.table_name AS referenced, rc.delete_rule, c.is_nullable
         FROM information_schema.referential_constraints rc
         JOIN information_schema.key_column_usage kcu USING (constraint_schema, constraint_name)
         JOIN information_schema.constraint_column_usage ccu USING (constraint_schema, constraint_name)
         JOIN information_schema.columns c ON c.table_schema = kcu.table_schema AND c.table_name = kcu.table_name AND c.column_name = kcu.column_name
        WHERE rc.constraint_schema = current_schema()
        ORDER BY 1, 2`,
    );
    expect(foreignKeys.length).toBeGreaterThan(0);
    // One parent (exactly one when the column is NOT NULL) has zero or more children; the
    // line is dashed (non-identifying) because the child's key does not include the parent's.
    const expected = foreignKeys.map(
      (fk) =>
        `${fk.referenced} ${fk.is_nullable === 'YES' ? '|o' : '||'}..o{ ${fk.table_name} : "${fk.column_name}, ON DELETE ${fk.delete_rule}"`,
    );
    expect(readDiagram().relationships.sort()).toEqual(expected.sort());
  });
});
