// What a log line keeps of a statement: everything but its literal values.
import { describe, expect, it } from 'vitest';
import { sanitizeSql } from '../src/observability/sanitizeSql.js';

describe('sanitizeSql', () => {
  it.each([
    [
      'string constants',
      `SELECT * FROM "users" WHERE "email" = 'ada@example.com' LIMIT 1`,
      `SELECT * FROM "users" WHERE "email" = ? LIMIT ?`,
    ],
    ['a quote doubled inside a string', `UPDATE t SET a = 'O''Brien', b = 'x'`, `UPDATE t SET a = ?, b = ?`],
    ['escape strings', `SELECT E'it\\'s', e'\\\\', 'plain'`, `SELECT ?, ?, ?`],
    ['bit, hex and unicode strings', `SELECT B'1010', X'1F', N'n', U&'d\\0061t'`, `SELECT ?, ?, ?, ?`],
    ['dollar-quoted strings', `SELECT $$a 'b' c$$, $tag$x$y$tag$, $1`, `SELECT ?, ?, $1`],
    [
      'numbers, not digits in names',
      `SELECT t1.col2 FROM t1 WHERE x = 42 AND y > -3.5e-2 AND z = .5 AND w = 0x1F`,
      `SELECT t1.col2 FROM t1 WHERE x = ? AND y > -? AND z = ? AND w = ?`,
    ],
    [
      'placeholders, casts and quoted names',
      `INSERT INTO "my ""odd"" table" (a) VALUES ($1::uuid, $2)`,
      `INSERT INTO "my ""odd"" table" (a) VALUES ($1::uuid, $2)`,
    ],
    ['arrays and JSON', `SELECT ARRAY['a','b'], '{"k": 1}'::jsonb`, `SELECT ARRAY[?,?], ?::jsonb`],
    ['comments, kept', `/* a /* nested */ note */ SELECT 1 -- it's 1\nFROM t`, `/* a /* nested */ note */ SELECT ? -- it's 1\nFROM t`],
    ['an unterminated string, to its end', `SELECT 'never closed`, `SELECT ?`],
  ])('replaces %s', (_, sql, expected) => {
    expect(sanitizeSql(sql)).toBe(expected);
  });

  it('leaves tododb’s own statements as they are', () => {
    const sql = `SELECT id, user_id AS "userId", title FROM "public"."tasks" WHERE user_id = $1 AND (created_at, id) < ($2, $3) ORDER BY created_at DESC, id DESC LIMIT $4`;
    expect(sanitizeSql(sql)).toBe(sql);
  });
});
