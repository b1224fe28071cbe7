import pg from 'pg';
import { TododbError } from '../errors/errors.js';

// PostgreSQL type oids of the columns the service layer reads (pg_type.oid; fixed since 8.x).
const BOOL = 16;
const TIMESTAMPTZ = 1184;

type Parser = (text: string) => unknown;

/**
 * The type parsers of the service layer's statements, given to pg with each of them (the query's
 * `types`), so that its records are the same whatever an application does to pg's global parsers
 * (`pg.types.setTypeParser`), and cheap to build. Its columns are uuid, text, varchar, boolean
 * and timestamptz: everything but boolean and timestamptz stays the string pg received.
 *
 * A list call reads 100 timestamps. pg's parser (postgres-date) runs three regular expressions on
 * each, about 1.1 µs and several short-lived strings and arrays; {@link parseTimestamptz} reads
 * the digits in place, about 0.3 µs and one Date.
 */
export const RECORD_TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) => {
    // Binary results (an application that set pg.defaults.binary) are pg's to read, as before.
    // pg calls this where nothing catches a throw: it must not throw.
    if (format === 'binary') return pg.types.getTypeParser(oid, 'binary');
    if (oid === TIMESTAMPTZ) return parseTimestamptz;
    if (oid === BOOL) return parseBool;
    return keepText;
  }) as pg.CustomTypesConfig['getTypeParser'],
};

const keepText: Parser = (text) => text;
const parseBool: Parser = (text) => text === 't';

const DIGIT_0 = 48;
const DASH = 45;
const PLUS = 43;
const COLON = 58;
const DOT = 46;
const SPACE = 32;
const GREGORIAN_CYCLE_MS = 146_097 * 86_400_000;
// The furthest instant a Date holds, either side of 1970.
const MAX_DATE_MS = 8.64e15;

/**
 * A timestamptz in PostgreSQL's ISO output (DateStyle ISO, the default and Neon's):
 * `YYYY-MM-DD HH:MM:SS[.ffffff]±HH[:MM[:SS]][ BC]`, the offset being the session's TimeZone at
 * that instant (`+00`, `+05:30`, or `+00:53:28` before time zones existed); a year has four or
 * more digits. `infinity` and `-infinity` become ±Infinity, as pg's own parser gives them. Any
 * other text is an error: the service layer's columns hold nothing else, and a wrong date
 * would be worse than a refusal.
 */
export function parseTimestamptz(text: string): Date | number {
  const length = text.length;
  let i = 0;
  let year = 0;
  for (let c = text.charCodeAt(i); c >= DIGIT_0 && c <= DIGIT_0 + 9; c = text.charCodeAt(++i)) year = year * 10 + c - DIGIT_0;
  if (i < 4 || text.charCodeAt(i) !== DASH || text.charCodeAt(i + 3) !== DASH || text.charCodeAt(i + 6) !== SPACE) {
    if (text === 'infinity') return Number.POSITIVE_INFINITY;
    if (text === '-infinity') return Number.NEGATIVE_INFINITY;
    throw unreadable(text);
  }
  const month = twoDigits(text, i + 1);
  const day = twoDigits(text, i + 4);
  const hour = twoDigits(text, i + 7);
  const minute = twoDigits(text, i + 10);
  const second = twoDigits(text, i + 13);
  if (text.charCodeAt(i + 9) !== COLON || text.charCodeAt(i + 12) !== COLON) throw unreadable(text);
  i += 15;
  // Fractions of a second: a Date keeps milliseconds; further digits are cut, as pg's parser does.
  let ms = 0;
  if (text.charCodeAt(i) === DOT) {
    let scale = 100;
    for (let c = text.charCodeAt(++i); c >= DIGIT_0 && c <= DIGIT_0 + 9; c = text.charCodeAt(++i)) {
      ms += (c - DIGIT_0) * scale;
      scale /= 10;
    }
    ms = Math.floor(ms);
  }
  const sign = text.charCodeAt(i);
  if (sign !== PLUS && sign !== DASH) throw unreadable(text);
  let offsetSeconds = twoDigits(text, i + 1) * 3600;
  i += 3;
  if (text.charCodeAt(i) === COLON) {
    offsetSeconds += twoDigits(text, i + 1) * 60;
    i += 3;
    if (text.charCodeAt(i) === COLON) {
      offsetSeconds += twoDigits(text, i + 1);
      i += 3;
    }
  }
  if (i === length - 3 && text.endsWith(' BC')) year = 1 - year;
  else if (i !== length) throw unreadable(text);
  if (Number.isNaN(month + day + hour + minute + second + offsetSeconds)) throw unreadable(text);
  const offsetMs = (sign === PLUS ? offsetSeconds : -offsetSeconds) * 1000;
  // Date.UTC reads the years 0 to 99 as 1900 to 1999: those are computed 400 years (one whole
  // cycle of the Gregorian calendar, leap days included) later and moved back. The time of day is
  // added after, so that an instant a Date can hold is not lost to a local time it cannot.
  const early = year >= 0 && year < 100;
  const midnight = Date.UTC(early ? year + 400 : year, month - 1, day) - (early ? GREGORIAN_CYCLE_MS : 0);
  const time = midnight + ((hour * 60 + minute) * 60 + second) * 1000 + ms - offsetMs;
  if (!(Math.abs(time) <= MAX_DATE_MS))
    throw new Error(`tododb cannot read the timestamp "${text}": it is outside what a JavaScript Date can hold`);
  return new Date(time);
}

/**
 * Why a statement of the service layer must not run on `client`: its session's DateStyle, as the
 * server last reported it, is not ISO. tododb's connections start in ISO (createClientClass), so
 * only a `SET DateStyle` on the connection since (an application's raw SQL through Sequelize)
 * gets here. Checked before the statement is sent: found only when its rows are read, a write
 * would be committed and reported as failed. The connection is then closed: it goes back to no
 * one, and a transaction on it cannot commit.
 */
export function unreadableSession(client: pg.ClientBase): TododbError | undefined {
  const dateStyle = (client as { dateStyle?: string }).dateStyle;
  if (dateStyle === undefined || dateStyle.startsWith('ISO')) return undefined;
  (client as { discard?: () => void }).discard?.();
  return new TododbError(
    'DATABASE_ERROR',
    `The database session's DateStyle was set to "${dateStyle}" (SET DateStyle on a tododb connection), and tododb reads timestamps in the ISO form: nothing was sent, and the connection was closed`,
  );
}

function twoDigits(text: string, at: number): number {
  const tens = text.charCodeAt(at) - DIGIT_0;
  const ones = text.charCodeAt(at + 1) - DIGIT_0;
  return tens >= 0 && tens <= 9 && ones >= 0 && ones <= 9 ? tens * 10 + ones : Number.NaN;
}

function unreadable(text: string): Error {
  return new Error(`tododb cannot read the timestamp "${text}": the session must use DateStyle ISO`);
}
