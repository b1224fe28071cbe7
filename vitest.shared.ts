import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// What every Vitest run of this repository shares: `npm test`'s lanes (vitest.config.ts), the
// PgBouncer suite (vitest.pgbouncer.config.ts) and the README's test examples (tests/readme.test.ts).
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
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Each file works in its own database, so files run in parallel.
    fileParallelism: true,
  },
});
