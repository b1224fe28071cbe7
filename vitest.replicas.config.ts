import { configDefaults, defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// `npm run test:replicas`: read replicas against a real primary and streaming replica that the
// test starts itself (tests/support/streamingReplica.mjs). Kept out of `npm test` because it
// needs PostgreSQL's server binaries and starts two servers of its own.
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['tests/replicas*.test.ts'],
    exclude: configDefaults.exclude,
    // Its servers are its own: it needs neither TEST_DATABASE_URL nor the embedded server.
    globalSetup: [],
    testTimeout: 60_000,
  },
});
