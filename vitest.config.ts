import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Needs a pgbouncer executable: run by `npm run test:pgbouncer` (vitest.pgbouncer.config.ts).
    exclude: [...configDefaults.exclude, 'tests/pgbouncer*.test.ts'],
    globalSetup: ['tests/support/globalSetup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Each file works in its own database, so files run in parallel.
    fileParallelism: true,
  },
});
