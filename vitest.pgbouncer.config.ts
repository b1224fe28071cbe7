import { configDefaults, defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// `npm run test:pgbouncer`: tododb through a real PgBouncer in transaction mode. Kept out of
// `npm test` because it needs the pgbouncer executable, which a fresh machine does not have.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['tests/pgbouncer*.test.ts'],
    exclude: configDefaults.exclude,
    testTimeout: 60_000,
  },
});
