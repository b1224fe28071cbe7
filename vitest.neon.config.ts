import { defineConfig, mergeConfig } from 'vitest/config';
import shared from './vitest.shared.js';

// `npm run test:neon`: tododb on the neon-serverless driver, through a WebSocket proxy in front of
// an embedded PostgreSQL of its own. Kept out of `npm test` because it takes some ten seconds
// (its server, the migrations over WebSockets, SCRAM, timeouts); tests/driverConfig.test.ts, in
// `npm test`, covers the setting itself.
export default mergeConfig(
  shared,
  defineConfig({
    test: {
      include: ['tests/neon*.test.ts'],
      globalSetup: ['tests/support/globalSetup.ts'],
    },
  }),
);
