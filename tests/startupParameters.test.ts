import { describe, expect, it } from 'vitest';
import { DatabaseUnavailableError, translateError } from '../src/index.js';

// What PgBouncer in transaction mode answers a client that sends statement_timeout at startup,
// i.e. tododb with `pgbouncer: false` on a pooled URL (tests/pgbouncer.test.ts shows it for real).
function refused(parameter: string): Error {
  return Object.assign(new Error(`unsupported startup parameter: ${parameter}`), { code: '08P01', severity: 'FATAL' });
}

describe('a startup parameter refused by PgBouncer', () => {
  it('is DatabaseUnavailableError naming the parameter and the pgbouncer setting, not a timeout', () => {
    const error = translateError(refused('statement_timeout'));
    expect(error).toBeInstanceOf(DatabaseUnavailableError);
    expect(error.message).toContain('startup parameter statement_timeout');
    expect(error.message).toContain('`pgbouncer: true`');
    expect(error.message).not.toMatch(/timed out/);
  });

  it('leaves real connect timeouts reported as timeouts', () => {
    const timedOut = Object.assign(new Error('Connection terminated due to connection timeout'), {});
    expect(translateError(timedOut).message).toBe('The database is unavailable: timed out connecting');
  });
});
