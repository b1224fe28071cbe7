import pg from 'pg';

/**
 * The names of tododb's tables, in one place: the migrations, the models, the service layer's
 * SQL, the health probe and the migrator read them from here.
 */
export const TABLES = {
  users: 'users',
  tasks: 'tasks',
  /** Applied migrations: tododb's own and the application's. Not Umzug's `SequelizeMeta`, so it never mixes with an application's own Sequelize migrations. */
  migrations: 'tododb_migrations',
} as const;

/** The default schema, where released versions of tododb keep their tables. */
export const DEFAULT_SCHEMA = 'public';

/**
 * `"schema"."table"`: every statement names the schema, so none depends on `search_path` (which
 * PgBouncer in transaction mode does not keep).
 */
export function qualified(schema: string, table: string): string {
  return `${quoted(schema)}.${quoted(table)}`;
}

/** An identifier quoted for SQL: `"name"`. */
export function quoted(identifier: string): string {
  return pg.escapeIdentifier(identifier);
}
