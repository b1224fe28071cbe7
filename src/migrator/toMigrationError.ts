import { MigrationError, TododbError } from '../errors/errors.js';
import { translateError } from '../errors/translateError.js';

/**
 * What a migrator throws: tododb's own errors as they are, an unreachable database as a
 * DatabaseUnavailableError, anything else as a MigrationError that names the migration.
 */
export function toMigrationError(error: unknown): TododbError {
  if (error instanceof TododbError) return error;
  // Umzug wraps the migration's own error; unwrap it so the message says what went wrong.
  const wrapper = error as { name?: string; cause?: unknown; migration?: { name?: string } } | null;
  const fromUmzug = wrapper?.name === 'MigrationError' && wrapper.cause !== undefined;
  const cause = fromUmzug ? wrapper!.cause : error;
  const translated = translateError(cause);
  if (cause instanceof TododbError || translated.code === 'DATABASE_UNAVAILABLE') return translated;
  const name = fromUmzug ? wrapper!.migration?.name : undefined;
  if (name === undefined) return new MigrationError(`Migration failed: ${messageOf(cause)}`, { cause });
  return new MigrationError(`Migration ${name} failed and was rolled back: ${messageOf(cause)}`, { cause, migration: name });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
