import { ValidationError } from '../errors/errors.js';
import { isUuid } from '../ids/uuidv7.js';
import { LIMITS } from '../models/rules.js';

/** A position in a user's newest-first task list: the last row of the previous page. */
export interface TaskPosition {
  createdAt: Date;
  id: string;
}

/**
 * Encodes a position as an opaque string. Callers must not build or parse it; its format may
 * change between versions (a stale cursor is then a validation error, not wrong data).
 * created_at is timestamptz(3), so the millisecond ISO form is exact.
 */
export function encodeCursor(position: TaskPosition): string {
  return Buffer.from(`${position.createdAt.toISOString()}|${position.id}`, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: unknown): TaskPosition {
  if (typeof cursor !== 'string' || cursor.length > LIMITS.cursorMaxLength) throw invalid();
  const [time, id, extra] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(time ?? '');
  if (extra !== undefined || !isUuid(id) || Number.isNaN(createdAt.getTime()) || createdAt.toISOString() !== time) {
    throw invalid();
  }
  return { createdAt, id };
}

function invalid(): ValidationError {
  return new ValidationError([{ field: 'cursor', message: 'is not a cursor returned by a previous page' }]);
}
