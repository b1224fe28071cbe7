import { defineConfig, mergeConfig } from 'vitest/config';
import shared from './vitest.shared.js';

// `npm run test:pgbouncer`: tododb through a real PgBouncer in transaction mode. Kept out of
// `npm test` because it needs the pgbouncer executable, which a fresh machine does not have.
export default mergeConfig(
  shared,
  defineConfig({
    test: {
      include: ['tests/pgbouncer*.test.ts'],
      globalSetup: ['tests/support/globalSetup.ts'],
      testTimeout: 60_000,
    },
  }),
);
