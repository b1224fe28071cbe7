import { MigrationError, TododbError } from '../errors/errors.js';
import { translateError } from '../errors/translateError.js';

/**
 * What a migrator throws: tododb's own errors as they are, an unreachable database as a
 * DatabaseUnavailableError, anything else as a MigrationError that names the migration.
 */
export function toMigrationError(error: unknown): TododbError {
  if (error instanceof TododbError) return error;
  // Umzug wraps the migration's own error; unwrap it so the message says what went wrong.
  const umzugError = error as { name?: string; cause?: unknown; migration?: { name?: string } };
  if (umzugError?.name === 'MigrationError' && umzugError.cause !== undefined) {
    const cause = umzugError.cause;
    if (cause instanceof TododbError) return cause;
    if (translateError(cause).code === 'DATABASE_UNAVAILABLE') return translateError(cause);
    const name = umzugError.migration?.name;
    return new MigrationError(`Migration ${name} failed and was rolled back: ${messageOf(cause)}`, { cause, migration: name });
  }
  const translated = translateError(error);
  if (translated.code === 'DATABASE_UNAVAILABLE') return translated;
  return new MigrationError(`Migration failed: ${messageOf(error)}`, { cause: error });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
