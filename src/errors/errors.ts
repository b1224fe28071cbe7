// Shared by every copy of tododb in the process (Symbol.for), never enumerable.
const CLASS_NAMES = Symbol.for('tododb.errorClassNames');

/**
 * Every `code` a {@link TododbError} carries, as a list to iterate (the README's table of
 * errors is checked against it). The codes are stable across releases.
 */
export const TODODB_ERROR_CODES = [
  // ConfigError
  'CONFIG_INVALID',
  // ValidationError, NotFoundError, ConflictError
  'VALIDATION_FAILED',
  'NOT_FOUND',
  'CONFLICT',
  // The database: unreachable, closed by the application, too slow, or another error.
  'DATABASE_UNAVAILABLE',
  'DATABASE_CLOSED',
  'QUERY_TIMEOUT',
  'DATABASE_ERROR',
  // db.transaction() used wrongly.
  'TRANSACTION_FINISHED',
  'TRANSACTION_MISUSE',
  'TRANSACTION_ABORTED',
  // SerializationFailureError: the transaction lost a serialization conflict or a deadlock.
  'SERIALIZATION_FAILURE',
  // MigrationError
  'MIGRATION_FAILED',
  'MIGRATION_LOCK_TIMEOUT',
  'MIGRATION_UNKNOWN',
  'MIGRATION_CHANGED',
  'MIGRATION_OUT_OF_ORDER',
  'MIGRATION_TABLE_EXISTS',
  'MIGRATION_INVALID',
  'MIGRATION_IRREVERSIBLE',
  // RoleError: grantApplicationRole() (tododb roles grant) refused the role or the connection.
  'ROLE_REFUSED',
  // tododb/testing: a test database could not be made.
  'TEST_DATABASE_FAILED',
  'TEST_TEMPLATE_LOCK_TIMEOUT',
] as const;

/**
 * The `code` of a {@link TododbError}: a union of string literals, so a `switch` on it is
 * checked by the compiler and a misspelt code does not compile.
 *
 * @example
 * ```ts
 * function status(error: TododbError): number {
 *   switch (error.code) {
 *     case 'VALIDATION_FAILED': return 400;
 *     case 'NOT_FOUND': return 404;
 *     case 'CONFLICT': return 409;
 *     case 'DATABASE_UNAVAILABLE':
 *     case 'QUERY_TIMEOUT': return 503;
 *     default: return 500;
 *   }
 * }
 * ```
 */
export type TododbErrorCode = (typeof TODODB_ERROR_CODES)[number];

/**
 * Every error tododb throws is a {@link TododbError}: branch on `error.code` (stable across
 * releases) or on the class. The original error, when there is one, is kept as `cause`.
 * Messages never contain a password or a full connection URL.
 */
export class TododbError extends Error {
  /** A stable, machine-readable code such as `NOT_FOUND`. */
  readonly code: TododbErrorCode;

  constructor(code: TododbErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    Object.defineProperty(this, CLASS_NAMES, { value: classNames(new.target) });
  }

  /**
   * `instanceof` by class name as well as by prototype. An application that both imports and
   * requires tododb loads its ESM and its CommonJS build: two copies of every class. An error
   * thrown by one copy still passes `instanceof` checks written against the other.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // `this` is the class on the right of `instanceof` (ValidationError, …), not TododbError.
    // biome-ignore lint/complexity/noThisInStatic: the subclass being checked is `this`
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    const names = typeof value === 'object' && value !== null ? (value as Record<symbol, unknown>)[CLASS_NAMES] : undefined;
    // biome-ignore lint/complexity/noThisInStatic: the subclass being checked is `this`
    return Array.isArray(names) && names.includes(this.name);
  }
}

function classNames(errorClass: abstract new (...args: never[]) => unknown): string[] {
  const names: string[] = [];
  for (let current = errorClass; current !== Error && current !== Function.prototype; current = Object.getPrototypeOf(current)) {
    names.push(current.name);
  }
  return names;
}

/** The configuration given to `createDatabase()` (or read from the environment) is invalid. */
export class ConfigError extends TododbError {
  /** The setting at fault, as in the options object: `url`, `pool.max`, … */
  readonly field: string;

  constructor(field: string, message: string, options?: { cause?: unknown }) {
    super('CONFIG_INVALID', message, options);
    this.field = field;
  }
}

/** One offending field of a {@link ValidationError}. */
export interface FieldIssue {
  /** The input field at fault, as the caller named it: `email`, `title`, `limit`, … */
  field: string;
  /** What is wrong with it, never quoting the value: `must be at most 255 characters`. */
  message: string;
}

/** Input was rejected before (or by) the database; nothing was written. */
export class ValidationError extends TododbError {
  /** Every offending field, each with what is wrong with it. */
  readonly issues: readonly FieldIssue[];

  constructor(issues: readonly FieldIssue[], options?: { cause?: unknown }) {
    super('VALIDATION_FAILED', issues.map((issue) => `${issue.field}: ${issue.message}`).join('; '), options);
    this.issues = issues;
  }

  /** The names of the offending fields. */
  get fields(): string[] {
    return this.issues.map((issue) => issue.field);
  }
}

/** The row does not exist, or belongs to another user (the two are indistinguishable). */
export class NotFoundError extends TododbError {
  /** What was not found. */
  readonly entity: 'user' | 'task';

  constructor(entity: 'user' | 'task', options?: { cause?: unknown }) {
    super('NOT_FOUND', `${entity} not found`, options);
    this.entity = entity;
  }
}

/** A uniqueness rule was violated, such as an email address that is already taken. */
export class ConflictError extends TododbError {
  /** The field whose value is taken, such as `email`. */
  readonly field: string;

  constructor(field: string, message: string, options?: { cause?: unknown }) {
    super('CONFLICT', message, options);
    this.field = field;
  }
}

/**
 * The database could not be reached or dropped the connection (refused, timed out, restarted).
 * The operation may or may not have been applied if the failure came after it was sent;
 * retrying reads is safe.
 */
export class DatabaseUnavailableError extends TododbError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DATABASE_UNAVAILABLE', message, options);
  }
}

/** A statement ran longer than the configured statement or query timeout and was cancelled. */
export class QueryTimeoutError extends TododbError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('QUERY_TIMEOUT', message, options);
  }
}

/** A migration failed; its transaction was rolled back, so the schema is as it was before it. */
export class MigrationError extends TododbError {
  /** The migration that failed, when the failure belongs to one. */
  readonly migration: string | undefined;

  constructor(message: string, options?: { cause?: unknown; migration?: string; code?: TododbErrorCode }) {
    super(options?.code ?? 'MIGRATION_FAILED', message, options);
    this.migration = options?.migration;
  }
}

/**
 * `db.transaction()` was used in a way that cannot be honoured: a call on a transaction that has
 * already committed or rolled back (`TRANSACTION_FINISHED`), a Sequelize transaction started or
 * committed by hand inside it, two nested transactions at once (`TRANSACTION_MISUSE`), or a
 * commit that PostgreSQL turned into a rollback because a statement in the transaction had failed
 * (`TRANSACTION_ABORTED`). Nothing of the transaction was committed, except where the message says so.
 */
export class TransactionError extends TododbError {
  constructor(code: 'TRANSACTION_FINISHED' | 'TRANSACTION_MISUSE' | 'TRANSACTION_ABORTED', message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** What a call that belongs to a `db.transaction()` which has already ended is refused with. */
export function transactionFinishedError(outcome: 'commit' | 'rollback', options?: { cause?: unknown }): TransactionError {
  return new TransactionError(
    'TRANSACTION_FINISHED',
    `This call belongs to a transaction that has already ${outcome === 'commit' ? 'committed' : 'rolled back'}: await every call inside the db.transaction() callback`,
    options,
  );
}

/** Why {@link RoleError} refused: the role would bypass row-level security, or the grant cannot be made as asked. */
export type RoleRefusal =
  /** No role of that name exists: create it first (`CREATE ROLE … LOGIN PASSWORD …`). */
  | 'missing'
  /** A superuser bypasses row-level security. */
  | 'superuser'
  /** The role has BYPASSRLS, or is a member of a role that has it or is a superuser (Neon's `neon_superuser`). */
  | 'bypassrls'
  /** The role owns tododb's tables, or is a member of the role that does: owners bypass row-level security. */
  | 'owner'
  /** The connection is not the tables' owner (nor a superuser), so it cannot grant on them. */
  | 'not-owner'
  /** The tables, or the row-level security policy on `tasks`, are not there yet: run the migrations first. */
  | 'not-migrated';

/**
 * `grantApplicationRole()` (`tododb roles grant`) refused: granting to this role would give the
 * application a login that row-level security does not hold (`reason` says why), or the grant
 * cannot be made on this connection. Nothing was granted. The message names no role.
 */
export class RoleError extends TododbError {
  /** Why the role was refused, machine-readable. */
  readonly reason: RoleRefusal;

  constructor(reason: RoleRefusal, message: string, options?: { cause?: unknown }) {
    super('ROLE_REFUSED', message, options);
    this.reason = reason;
  }
}

/**
 * PostgreSQL could not serialise this transaction with concurrent ones (SQLSTATE 40001) or chose
 * it as a deadlock victim (40P01); it was rolled back. Running the whole transaction again is
 * safe: `db.transaction(fn, { retries: 3 })` does that for you.
 */
export class SerializationFailureError extends TododbError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SERIALIZATION_FAILURE', message, options);
  }
}
