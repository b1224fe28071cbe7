// PostgreSQL's lexical rules, as far as telling values from the rest of a statement needs them.
const IDENTIFIER_START = /[A-Za-z_\u0080-\uffff]/;
const IDENTIFIER_PART = /[A-Za-z0-9_$\u0080-\uffff]/;
const DIGIT = /[0-9]/;
const DOLLAR_TAG = /^\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/;
// One-letter prefixes of string constants: E'…' (escapes), B'…' and X'…' (bit strings), N'…'.
const STRING_PREFIXES = new Set(['e', 'b', 'x', 'n']);

/**
 * `sql` with every literal value replaced by `?`: string constants (`'…'`, `E'…'`, `$$…$$`, bit
 * strings) and numbers. Identifiers (`"users"`, `created_at2`), placeholders (`$1`), keywords and
 * comments stay as they are. This is how a model call's SQL, into which Sequelize writes its
 * `where` values, reaches a log without them.
 *
 * For example, `SELECT * FROM "users" WHERE "email" = 'ada@example.com' LIMIT 1` becomes
 * `SELECT * FROM "users" WHERE "email" = ? LIMIT ?`.
 */
export function sanitizeSql(sql: string): string {
  let out = '';
  let i = 0;
  while (i < sql.length) {
    const char = sql[i]!;
    const next = sql[i + 1];
    if (char === "'") {
      i = skipString(sql, i, false);
      out += '?';
    } else if (char === '"') {
      const end = skipQuoted(sql, i, '"');
      out += sql.slice(i, end);
      i = end;
    } else if (char === '-' && next === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end === -1 ? sql.length : end;
      out += sql.slice(i, stop);
      i = stop;
    } else if (char === '/' && next === '*') {
      const end = skipBlockComment(sql, i);
      out += sql.slice(i, end);
      i = end;
    } else if (char === '$') {
      const tag = DOLLAR_TAG.exec(sql.slice(i, i + 64))?.[0];
      if (tag !== undefined) {
        const close = sql.indexOf(tag, i + tag.length);
        i = close === -1 ? sql.length : close + tag.length;
        out += '?';
      } else {
        // A placeholder ($1) or a lone $: kept with its digits.
        let end = i + 1;
        while (end < sql.length && DIGIT.test(sql[end]!)) end += 1;
        out += sql.slice(i, end);
        i = end;
      }
    } else if (IDENTIFIER_START.test(char)) {
      let end = i + 1;
      while (end < sql.length && IDENTIFIER_PART.test(sql[end]!)) end += 1;
      const word = sql.slice(i, end);
      if (end - i === 1 && STRING_PREFIXES.has(char.toLowerCase()) && sql[end] === "'") {
        i = skipString(sql, end, char === 'e' || char === 'E');
        out += '?';
      } else if ((word === 'U' || word === 'u') && sql[end] === '&' && sql[end + 1] === "'") {
        i = skipString(sql, end + 1, false);
        out += '?';
      } else {
        out += word;
        i = end;
      }
    } else if (DIGIT.test(char) || (char === '.' && next !== undefined && DIGIT.test(next))) {
      i = skipNumber(sql, i);
      out += '?';
    } else {
      out += char;
      i += 1;
    }
  }
  return out;
}

/** The index after the string constant opening at `start`: `''` is a quote inside it, and with `escapes` so is `\'`. */
function skipString(sql: string, start: number, escapes: boolean): number {
  let i = start + 1;
  while (i < sql.length) {
    const char = sql[i]!;
    if (escapes && char === '\\') {
      i += 2;
    } else if (char === "'") {
      if (sql[i + 1] === "'") i += 2;
      else return i + 1;
    } else {
      i += 1;
    }
  }
  return sql.length;
}

function skipQuoted(sql: string, start: number, quote: string): number {
  let i = start + 1;
  while (i < sql.length) {
    if (sql[i] === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else {
      i += 1;
    }
  }
  return sql.length;
}

// PostgreSQL's block comments nest.
function skipBlockComment(sql: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < sql.length) {
    if (sql[i] === '/' && sql[i + 1] === '*') {
      depth += 1;
      i += 2;
    } else if (sql[i] === '*' && sql[i + 1] === '/') {
      depth -= 1;
      i += 2;
      if (depth === 0) return i;
    } else {
      i += 1;
    }
  }
  return sql.length;
}

// Digits, a fraction, an exponent, and the letters and underscores of 0x1F, 1_000 (PostgreSQL 16).
function skipNumber(sql: string, start: number): number {
  let i = start;
  while (i < sql.length) {
    const char = sql[i]!;
    if (/[0-9A-Za-z_.]/.test(char)) i += 1;
    else if ((char === '+' || char === '-') && /[eE]/.test(sql[i - 1]!) && !/[xX]/.test(sql.slice(start, i))) i += 1;
    else break;
  }
  return i;
}
