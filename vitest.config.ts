import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // The CLI, the README examples and the tests import the library by its package name, as
    // users do; in-process they run on the source.
    // Exactly `tododb` and `tododb/testing`: `tododb/package.json` still resolves to the real file.
    alias: [
      { find: /^tododb$/, replacement: fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
      { find: /^tododb\/testing$/, replacement: fileURLToPath(new URL('./src/testing/index.ts', import.meta.url)) },
    ],
  },
  test: {
    include: ['tests/**/*.test.ts'],
    // Need a pgbouncer executable, or PostgreSQL's server binaries: run by `npm run test:pgbouncer`
    // (vitest.pgbouncer.config.ts) and `npm run test:replicas` (vitest.replicas.config.ts). The
    // neon-serverless driver's suite is slow: `npm run test:neon` (vitest.neon.config.ts).
    exclude: [...configDefaults.exclude, 'tests/pgbouncer*.test.ts', 'tests/replicas*.test.ts', 'tests/neon*.test.ts'],
    globalSetup: ['tests/support/globalSetup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Each file works in its own database, so files run in parallel.
    fileParallelism: true,
  },
});
