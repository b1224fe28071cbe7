import {
  ConflictError,
  DatabaseUnavailableError,
  NotFoundError,
  QueryTimeoutError,
  SerializationFailureError,
  TododbError,
  transactionFinishedError,
  ValidationError,
  type FieldIssue,
} from './errors.js';
import { CONSTRAINTS } from '../schema/names.js';
import { pgErrorField, sqlState } from './sqlState.js';

// Which field a unique or check constraint guards, by constraint name.
const CONSTRAINT_FIELDS: ReadonlyMap<string, string> = new Map(Object.values(CONSTRAINTS).map(({ name, field }) => [name, field]));

// SQLSTATE classes and codes that mean "the database is not there for us right now":
// connection exceptions (08), authentication (28), no such database, shutdown, resources.
const UNAVAILABLE_STATES = new Set(['3D000', '57P01', '57P02', '57P03', '53300', '53400', '58000', '58030']);
const UNAVAILABLE_NODE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'EAI_AGAIN',
]);
const UNAVAILABLE_SEQUELIZE_ERRORS = new Set([
  'SequelizeConnectionError',
  'SequelizeConnectionRefusedError',
  'SequelizeConnectionTimedOutError',
  'SequelizeHostNotFoundError',
  'SequelizeHostNotReachableError',
  'SequelizeInvalidConnectionError',
  'SequelizeAccessDeniedError',
  'SequelizeConnectionAcquireTimeoutError',
]);
const UNAVAILABLE_MESSAGES = ['Connection terminated', 'timeout expired', 'Client has encountered a connection error', 'Connection ended'];

// TLS failures carry Node's or OpenSSL's codes, not SQLSTATEs. Retrying does not help them: the
// reason says what to change. Never the host name or the certificate's names, which the
// original message (kept as `cause`) has.
const UNTRUSTED_CERTIFICATE = "the server's TLS certificate is not trusted: give its CA as `ssl: { ca }` or with sslrootcert in the URL";
const TLS_REASONS: Record<string, string> = {
  ERR_TLS_CERT_ALTNAME_INVALID: "the server's TLS certificate is not for the host name in the URL",
  SELF_SIGNED_CERT_IN_CHAIN: UNTRUSTED_CERTIFICATE,
  DEPTH_ZERO_SELF_SIGNED_CERT: UNTRUSTED_CERTIFICATE,
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: UNTRUSTED_CERTIFICATE,
  UNABLE_TO_GET_ISSUER_CERT: UNTRUSTED_CERTIFICATE,
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: UNTRUSTED_CERTIFICATE,
  CERT_SIGNATURE_FAILURE: UNTRUSTED_CERTIFICATE,
  CERT_UNTRUSTED: UNTRUSTED_CERTIFICATE,
  CERT_HAS_EXPIRED: "the server's TLS certificate has expired",
  CERT_NOT_YET_VALID: "the server's TLS certificate is not valid yet",
};
const TLS_MESSAGES: [fragment: string, reason: string][] = [
  ['The server does not support SSL connections', 'the server does not accept TLS connections, and the URL asks for TLS'],
  // The server's side of channel binding: the client bound to another certificate than the
  // server's own, so something in between ended TLS with a certificate of its own.
  ['channel binding check failed', 'channel binding failed: something between tododb and the server presented another TLS certificate'],
  // What a server older than PostgreSQL 17 does when a client opens with direct TLS: it reads
  // the TLS hello as a malformed startup packet and hangs up.
  [
    'before secure TLS connection was established',
    'the server closed the connection during the TLS handshake (with sslnegotiation=direct, a server older than PostgreSQL 17 does so)',
  ],
];

/**
 * Translates an error from Sequelize, pg or Node into tododb's typed errors. The one place that
 * knows SQLSTATE codes; errors that are already tododb's pass through. Unknown errors come back
 * as a generic {@link TododbError} with code `DATABASE_ERROR`, the original kept as `cause`.
 */
export function translateError(error: unknown): TododbError {
  if (error instanceof TododbError) return error;
  // The neon-serverless driver fails with its WebSocket's error event, which carries the Error.
  const inner = (error as { error?: unknown } | null)?.error;
  if (!(error instanceof Error) && inner instanceof Error) return translateError(inner);
  // tododb's own refusals while connecting (channel binding) come back wrapped by Sequelize.
  const parent = (error as { parent?: unknown } | null)?.parent;
  if (parent instanceof TododbError) return parent;
  const state = sqlState(error);
  const name = (error as { name?: unknown } | null)?.name;
  const message = error instanceof Error ? error.message : String(error);
  const constraint = pgErrorField(error, 'constraint');

  // Sequelize refuses a model call given a transaction that has ended, before sending any SQL:
  // with tododb that is a `tx.transaction` used after its db.transaction() callback returned.
  const finished = /^(commit|rollback) has been called on this transaction\(/.exec(message);
  if (finished) return transactionFinishedError(finished[1] as 'commit' | 'rollback', { cause: error });
  if (state === '23505' || name === 'SequelizeUniqueConstraintError') {
    const field = (constraint && CONSTRAINT_FIELDS.get(constraint)) ?? 'unknown';
    return new ConflictError(field, field === 'email' ? 'email is already taken' : `${field} must be unique`, { cause: error });
  }
  if (state === '23503' || name === 'SequelizeForeignKeyConstraintError') {
    return new NotFoundError('user', { cause: error });
  }
  if (state === '40001' || state === '40P01') {
    return new SerializationFailureError(
      state === '40001'
        ? 'The transaction could not be serialised with concurrent ones and was rolled back'
        : 'The transaction was chosen as a deadlock victim and rolled back',
      { cause: error },
    );
  }
  if (state === '57014' || message === 'Query read timeout') {
    return new QueryTimeoutError('The query took longer than its timeout and was cancelled', { cause: error });
  }
  if (name === 'SequelizeValidationError') {
    const items = (error as { errors?: { path?: string | null; message?: string }[] }).errors ?? [];
    const issues: FieldIssue[] = items.map((item) => ({
      field: item.path ?? 'unknown',
      message: stripField(item.message ?? 'is invalid', item.path),
    }));
    return new ValidationError(issues.length > 0 ? issues : [{ field: 'unknown', message }], { cause: error });
  }
  if (state === '23514' || state === '23502' || state === '22001' || state === '22021' || state === '22P02') {
    // 22001 (value too long) names no column; tasks.title is the schema's only bounded varchar.
    const field =
      (constraint && CONSTRAINT_FIELDS.get(constraint)) ?? pgErrorField(error, 'column') ?? (state === '22001' ? 'title' : 'unknown');
    return new ValidationError([{ field, message: 'is invalid' }], { cause: error });
  }
  const tls = tlsReason(state, message);
  if (tls !== undefined) {
    return new DatabaseUnavailableError(`The database is unavailable: ${tls}`, { cause: error });
  }
  if (isUnavailable(error, state, name, message)) {
    return new DatabaseUnavailableError(`The database is unavailable: ${unavailableReason(error, state, message)}`, { cause: error });
  }
  if (state === '42501' && message.includes('row-level security')) {
    // What an application role gets when tasks are written without the acting user (or as another).
    return new TododbError(
      'DATABASE_ERROR',
      "A row-level security policy refused the row (SQLSTATE 42501): the role writes only the acting user's tasks; an application role needs rowLevelSecurity: true",
      { cause: error },
    );
  }
  return new TododbError('DATABASE_ERROR', `The database reported an error${state ? ` (SQLSTATE ${state})` : ''}`, { cause: error });
}

/**
 * Translates an error raised while opening or taking a connection: whatever it is, the database
 * could not be reached (a refused TLS handshake has no SQLSTATE), unless it is already typed.
 */
export function translateConnectError(error: unknown): TododbError {
  const translated = translateError(error);
  if (translated.code !== 'DATABASE_ERROR') return translated;
  const message = error instanceof Error ? error.message : String(error);
  return new DatabaseUnavailableError(`The database is unavailable: ${unavailableReason(error, sqlState(error), message)}`, {
    cause: error,
  });
}

function tlsReason(state: string | undefined, message: string): string | undefined {
  if (state !== undefined && Object.hasOwn(TLS_REASONS, state)) return TLS_REASONS[state];
  return TLS_MESSAGES.find(([fragment]) => message.includes(fragment))?.[1];
}

function isUnavailable(error: unknown, state: string | undefined, name: unknown, message: string): boolean {
  if (state !== undefined && (state.startsWith('08') || state.startsWith('28') || UNAVAILABLE_STATES.has(state))) return true;
  if (state !== undefined && UNAVAILABLE_NODE_CODES.has(state)) return true;
  if (typeof name === 'string' && UNAVAILABLE_SEQUELIZE_ERRORS.has(name)) return true;
  const causeCode = (error as { parent?: { code?: unknown }; cause?: { code?: unknown } } | null)?.cause?.code;
  if (typeof causeCode === 'string' && UNAVAILABLE_NODE_CODES.has(causeCode)) return true;
  return UNAVAILABLE_MESSAGES.some((fragment) => message.includes(fragment));
}

// A short reason without host names, user names or anything from the URL.
function unavailableReason(error: unknown, state: string | undefined, message: string): string {
  if (state !== undefined && UNAVAILABLE_NODE_CODES.has(state)) return state;
  const name = (error as { name?: unknown } | null)?.name;
  if (name === 'SequelizeConnectionAcquireTimeoutError') return 'timed out waiting for a free connection in the pool';
  if (state === '28P01') return PASSWORD_REFUSED;
  if (state === '28000') return refusedAuthorization(message);
  if (name === 'SequelizeAccessDeniedError') return 'authentication failed';
  if (state === '53300') return 'too many connections';
  if (state === '3D000') return 'the database does not exist';
  if (state === '57P01' || state === '57P02' || state === '57P03') return 'the server is shutting down or starting up';
  // PgBouncer refuses startup parameters it does not know (pg sends statement_timeout as one).
  // Names the parameter only, never its value.
  const refused = /unsupported startup parameter(?: in options)?: ([\w.-]+)/.exec(message);
  if (refused) {
    return `the server refused the startup parameter ${refused[1]}, as PgBouncer in transaction mode does: pass \`pgbouncer: true\` (or add ?pgbouncer=true to the URL)`;
  }
  // A whole word: "statement_timeout" in a message is not a connect timeout.
  if (/\btimeout\b|timed out/i.test(message)) return 'timed out connecting';
  if (message.includes('terminated')) return 'the connection was closed';
  return state ? `SQLSTATE ${state}` : 'connection failed';
}

// 28P01. With password authentication PostgreSQL answers the same for a role that does not
// exist, so as not to tell a stranger which roles do: say both.
const PASSWORD_REFUSED = 'password authentication failed: a wrong password, or a role that does not exist (the server does not say which)';

// SQLSTATE 28000 covers several refusals; the server's (English) message tells them apart. The
// reasons name neither the role nor the host, which the message does. A server answering in
// another language (lc_messages) gets the generic reason.
const AUTHORIZATION_REASONS: readonly [RegExp, string][] = [
  [/^role ".*" does not exist/, 'the role (user name) does not exist on the server'],
  [/^role ".*" is not permitted to log in/, 'the role is not permitted to log in (it lacks LOGIN)'],
  [/pg_hba\.conf/, "the server's pg_hba.conf does not admit this connection (user, database, host or SSL)"],
  [/authentication failed/, 'authentication failed'],
];

function refusedAuthorization(message: string): string {
  const found = AUTHORIZATION_REASONS.find(([pattern]) => pattern.test(message));
  return found ? found[1] : 'the server refused this role or client (SQLSTATE 28000)';
}

// Our model validators say "email must be …"; the field is already in FieldIssue.field.
function stripField(message: string, field: string | null | undefined): string {
  return field && message.startsWith(`${field} `) ? message.slice(field.length + 1) : message;
}
