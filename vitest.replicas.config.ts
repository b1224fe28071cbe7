import { defineConfig, mergeConfig } from 'vitest/config';
import shared from './vitest.shared.js';

// `npm run test:replicas`: read replicas against a real primary and streaming replica that the
// test starts itself (tests/support/streamingReplica.mjs). Kept out of `npm test` because it
// needs PostgreSQL's server binaries and starts two servers of its own; it needs neither
// TEST_DATABASE_URL nor the embedded server.
export default mergeConfig(
  shared,
  defineConfig({
    test: {
      include: ['tests/replicas*.test.ts'],
      testTimeout: 60_000,
    },
  }),
);
