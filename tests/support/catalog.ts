// What PostgreSQL's catalog says about a schema and a table: to prove that a migration left
// something exactly as it was, not just "still there".
import pg from 'pg';

/** Everything the catalog holds about one table, and its rows with their physical identity. */
export interface TableSnapshot {
  /** Changes when the table is rewritten (ALTER … TYPE, TRUNCATE, VACUUM FULL, DROP and CREATE). */
  relfilenode: number;
  columns: unknown[];
  constraints: unknown[];
  indexes: unknown[];
  triggers: unknown[];
  /** Every row as JSON, with `ctid` and `xmin`: an UPDATE that writes the same values still changes them. */
  rows: unknown[];
}

/** Runs `work` on a connection of its own to the database at `url`. */
export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The catalog's view of `schema.table`, and its rows. */
export function tableSnapshot(url: string, schema: string, table: string): Promise<TableSnapshot> {
  return withClient(url, async (client) => {
    const relation = `${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(table)}`;
    const select = async (sql: string) => (await client.query(sql, [relation])).rows;
    const [{ relfilenode }] = (await select(`SELECT relfilenode::int FROM pg_class WHERE oid = $1::regclass`)) as [{ relfilenode: number }];
    return {
      relfilenode,
      columns: await select(
        `SELECT attname, format_type(atttypid, atttypmod) AS type, attnotnull, pg_get_expr(d.adbin, d.adrelid) AS default
           FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
          WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum`,
      ),
      constraints: await select(
        `SELECT conname, pg_get_constraintdef(oid) AS definition FROM pg_constraint WHERE conrelid = $1::regclass ORDER BY conname`,
      ),
      indexes: await select(
        `SELECT indexrelid::regclass::text AS name, pg_get_indexdef(indexrelid) AS definition FROM pg_index WHERE indrelid = $1::regclass ORDER BY 1`,
      ),
      triggers: await select(
        `SELECT tgname, pg_get_triggerdef(oid) AS definition FROM pg_trigger WHERE tgrelid = $1::regclass ORDER BY tgname`,
      ),
      rows: (await client.query(`SELECT ctid::text, xmin::text, to_jsonb(t) AS row FROM ${relation} t ORDER BY ctid`)).rows,
    };
  });
}

/** The names of every relation (tables, indexes, sequences, views) in `schema`, sorted. */
export function relationsIn(url: string, schema: string): Promise<string[]> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ name: string }>(
      `SELECT c.relname::text AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 ORDER BY 1`,
      [schema],
    );
    return rows.map((row) => row.name);
  });
}

/** The tables (only) of `schema`, sorted. */
export function tablesIn(url: string, schema: string): Promise<string[]> {
  return withClient(url, async (client) => {
    const { rows } = await client.query<{ name: string }>(
      `SELECT tablename::text AS name FROM pg_tables WHERE schemaname = $1 ORDER BY 1`,
      [schema],
    );
    return rows.map((row) => row.name);
  });
}

/** Runs SQL (several statements allowed) on the database at `url`. */
export function sql(url: string, text: string): Promise<void> {
  return withClient(url, async (client) => {
    await client.query(text);
  });
}
