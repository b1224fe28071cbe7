import pg from 'pg';

/**
 * The names of tododb's tables, constraints, indexes and policy, in one place: the models, the
 * service layer's SQL, the error translation, the health probe, the migrator and the tests read
 * them from here. The released migrations write them as literals (see {@link CONSTRAINTS}).
 */
export const TABLES = {
  users: 'users',
  tasks: 'tasks',
  /** Applied migrations: tododb's own and the application's. Not Umzug's `SequelizeMeta`, so it never mixes with an application's own Sequelize migrations. */
  migrations: 'tododb_migrations',
} as const;

/** What PostgreSQL keeps for a name of {@link CONSTRAINTS}: a row of `pg_constraint`, or (`unique index`) only an index. */
export type ConstraintKind = 'primary key' | 'foreign key' | 'check' | 'unique index';

/** A constraint of tododb's tables: its name, its table, what PostgreSQL keeps for it, and the field it guards. */
export interface ConstraintName {
  readonly name: string;
  readonly table: (typeof TABLES)['users' | 'tasks'];
  readonly kind: ConstraintKind;
  /** The field (as the service layer names it) that a violation is reported on. */
  readonly field: string;
}

/**
 * The constraints the migrations create, by what they are for. The migrations themselves write
 * the names as literals (a released migration is never edited); `tests/schema.names.test.ts`
 * checks every name here against the catalog of a freshly migrated database, and that there is no
 * other. A unique or check violation names its constraint, and translateError reports it on the
 * constraint's field.
 */
export const CONSTRAINTS = {
  usersPrimaryKey: { name: 'users_pkey', table: TABLES.users, kind: 'primary key', field: 'id' },
  /** A unique index on lower(email), not a constraint: a violation still names it as the constraint. */
  usersEmailUnique: { name: 'users_email_lower_key', table: TABLES.users, kind: 'unique index', field: 'email' },
  usersEmailNormalized: { name: 'users_email_normalized_check', table: TABLES.users, kind: 'check', field: 'email' },
  tasksPrimaryKey: { name: 'tasks_pkey', table: TABLES.tasks, kind: 'primary key', field: 'id' },
  tasksUser: { name: 'tasks_user_id_fkey', table: TABLES.tasks, kind: 'foreign key', field: 'userId' },
  tasksTitleNotEmpty: { name: 'tasks_title_not_empty_check', table: TABLES.tasks, kind: 'check', field: 'title' },
  tasksDescriptionLength: { name: 'tasks_description_length_check', table: TABLES.tasks, kind: 'check', field: 'description' },
} as const satisfies Record<string, ConstraintName>;

/** The indexes the migrations create besides those of {@link CONSTRAINTS}: the ones the service layer's list statements are planned on. */
export const INDEXES = {
  /** (user_id, created_at DESC, id DESC): a user's tasks, newest first, continued by a keyset cursor. */
  tasksByUser: { name: 'tasks_user_id_created_at_id_idx', table: TABLES.tasks },
  /** (user_id, is_completed, created_at DESC, id DESC): the same list filtered by completion. */
  tasksByUserAndCompletion: { name: 'tasks_user_id_is_completed_created_at_id_idx', table: TABLES.tasks },
} as const;

/** The setting that carries the acting user of a transaction (`set_config(…, true)`): the row-level security policy reads it. */
export const ACTING_USER_SETTING = 'app.user_id';

/** The row-level security policy on tasks (migration 0003): a role that does not own the tables sees the acting user's tasks only. */
export const POLICIES = {
  tasksActingUser: { name: 'tasks_acting_user', table: TABLES.tasks },
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
