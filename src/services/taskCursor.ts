import { ValidationError } from '../errors/errors.js';
import { isUuid } from '../ids/uuidv7.js';
import { LIMITS } from '../models/rules.js';

/** A position in a user's newest-first task list: the last row of the previous page. */
export interface TaskPosition {
  createdAt: Date;
  id: string;
}

/** A decoded cursor, ready to be bound to the list statement. */
export interface CursorPosition {
  /**
   * The position's time as a PostgreSQL `timestamptz` literal in UTC. Not a Date: pg would
   * send a Date in the process's local time, and for a date in the era of local mean time
   * (Paris +00:09:21 before 1911) it drops the offset's seconds, which moves the position
   * (a page could then repeat forever) or pushes it past PostgreSQL's earliest instant.
   */
  createdAt: string;
  id: string;
}

// PostgreSQL's earliest timestamptz, 4714-11-24 00:00 BC (year -4713). Its latest, in 294276
// AD, lies beyond a JS Date's (275760 AD), so every valid Date is below it.
const EARLIEST_MS = Date.UTC(-4713, 10, 24);

/**
 * Encodes a position as an opaque string. Callers must not build or parse it; its format may
 * change between versions (a stale cursor is then a validation error, not wrong data).
 * created_at is timestamptz(3), so the millisecond ISO form is exact.
 */
export function encodeCursor(position: TaskPosition): string {
  return Buffer.from(`${position.createdAt.toISOString()}|${position.id}`, 'utf8').toString('base64url');
}

/**
 * Decodes and checks a cursor: anything but the encoding of a time PostgreSQL can store and a
 * UUID is a {@link ValidationError} on `cursor`, before any SQL is sent.
 */
export function decodeCursor(cursor: unknown): CursorPosition {
  if (typeof cursor !== 'string' || cursor.length > LIMITS.cursorMaxLength) throw invalid();
  const [time, id, extra] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const createdAt = new Date(time ?? '');
  const ms = createdAt.getTime();
  if (extra !== undefined || !isUuid(id) || Number.isNaN(ms) || createdAt.toISOString() !== time || ms < EARLIEST_MS) {
    throw invalid();
  }
  return { createdAt: toTimestamptz(createdAt), id };
}

// `2026-01-01 00:00:00.000+00`, and for years before 1 AD the form PostgreSQL reads,
// `4714-11-24 00:00:00.000+00 BC` (there is no year 0: JS's year 0 is 1 BC).
function toTimestamptz(date: Date): string {
  const year = date.getUTCFullYear();
  const day = `${pad(year > 0 ? year : 1 - year, 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
  const time = `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}.${pad(date.getUTCMilliseconds(), 3)}`;
  return `${day} ${time}+00${year > 0 ? '' : ' BC'}`;
}

function pad(value: number, length = 2): string {
  return String(value).padStart(length, '0');
}

function invalid(): ValidationError {
  return new ValidationError([{ field: 'cursor', message: 'is not a cursor returned by a previous page' }]);
}
