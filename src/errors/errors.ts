// Shared by every copy of tododb in the process (Symbol.for), never enumerable.
const CLASS_NAMES = Symbol.for('tododb.errorClassNames');

/**
 * Every error tododb throws is a {@link TododbError}: branch on `error.code` (stable across
 * releases) or on the class. The original error, when there is one, is kept as `cause`.
 * Messages never contain a password or a full connection URL.
 */
export class TododbError extends Error {
  /** A stable, machine-readable code such as `NOT_FOUND`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
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
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    const names = typeof value === 'object' && value !== null ? (value as Record<symbol, unknown>)[CLASS_NAMES] : undefined;
    return Array.isArray(names) && names.includes(this.name);
  }
}

function classNames(constructor: Function): string[] {
  const names: string[] = [];
  for (let current = constructor; current !== Error && current !== Function.prototype; current = Object.getPrototypeOf(current)) {
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
  field: string;
  message: string;
}

/** Input was rejected before (or by) the database; nothing was written. */
export class ValidationError extends TododbError {
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
  readonly entity: 'user' | 'task';

  constructor(entity: 'user' | 'task', options?: { cause?: unknown }) {
    super('NOT_FOUND', `${entity} not found`, options);
    this.entity = entity;
  }
}

/** A uniqueness rule was violated, such as an email address that is already taken. */
export class ConflictError extends TododbError {
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

  constructor(message: string, options?: { cause?: unknown; migration?: string; code?: string }) {
    super(options?.code ?? 'MIGRATION_FAILED', message, options);
    this.migration = options?.migration;
  }
}
