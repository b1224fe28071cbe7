// Error codes: one typed list, every one documented in the README. (The type-level checks run
// in `npm run typecheck`, which covers tests/; at run time expectTypeOf does nothing.)
import { readFileSync } from 'node:fs';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  ConfigError,
  ConflictError,
  DatabaseUnavailableError,
  MigrationError,
  NotFoundError,
  QueryTimeoutError,
  TododbError,
  ValidationError,
  translateError,
} from '../src/index.js';
import { TODODB_ERROR_CODES, type TododbErrorCode } from '../src/errors/errors.js';
import { REPO_ROOT } from './fixtures/cli.js';

describe('TododbErrorCode', () => {
  it('is the type of every error code, and an unknown code does not compile', () => {
    expectTypeOf<TododbError['code']>().toEqualTypeOf<TododbErrorCode>();
    expectTypeOf<ValidationError['code']>().toEqualTypeOf<TododbErrorCode>();
    expectTypeOf<'NOT_FOUND'>().toExtend<TododbErrorCode>();
    expectTypeOf<'NOT_A_CODE'>().not.toExtend<TododbErrorCode>();
    // @ts-expect-error a code outside the union is refused
    expect(new TododbError('NOT_A_CODE', 'x').code).toBe('NOT_A_CODE');
    // @ts-expect-error MigrationError's code too
    expect(new MigrationError('x', { code: 'MIGRATION_SIDEWAYS' }).code).toBe('MIGRATION_SIDEWAYS');
  });

  it('lists the code of every error class and of translateError', () => {
    const thrown = [
      new ConfigError('url', 'x'),
      new ValidationError([{ field: 'title', message: 'x' }]),
      new NotFoundError('task'),
      new ConflictError('email', 'x'),
      new DatabaseUnavailableError('x'),
      new QueryTimeoutError('x'),
      new MigrationError('x'),
      new MigrationError('x', { code: 'MIGRATION_LOCK_TIMEOUT' }),
      translateError(new Error('something else')),
    ];
    for (const error of thrown) expect(TODODB_ERROR_CODES).toContain(error.code);
  });

  it('has each code documented in the README, once, in the errors table', () => {
    const readme = readFileSync(`${REPO_ROOT}/README.md`, 'utf8');
    const section = readme.slice(readme.indexOf('\n## Errors'), readme.indexOf('\n## ', readme.indexOf('\n## Errors') + 1));
    const documented = [...section.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((match) => match[1]);
    expect([...documented].sort()).toEqual([...TODODB_ERROR_CODES].sort());
  });
});
