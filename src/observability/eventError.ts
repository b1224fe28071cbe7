import { translateError } from '../errors/translateError.js';
import { serverSqlState } from './endSpan.js';
import type { QueryEventError } from './LoggingHooks.js';

/**
 * What a logging event says of an error: tododb's code and message (which name a field at most)
 * and the SQLSTATE, never pg's message or detail, which may quote a value (`Key (email)=(…)`).
 */
export function eventError(error: unknown): QueryEventError {
  const translated = translateError(error);
  const sqlState = serverSqlState(error);
  return { code: translated.code, ...(sqlState === undefined ? {} : { sqlState }), message: translated.message };
}
