import { configDefaults, defineConfig, mergeConfig } from 'vitest/config';
import shared from './vitest.shared.js';

// `npm test` runs three lanes (Vitest projects); `npm run test:<lane>` runs one.
// - unit: no database and no build, in seconds. A file belongs here when it imports nothing that
//   needs PostgreSQL (tests/support/testDatabase.ts, `inject('serverUrl')`) or the built package.
// - package: the built package: the packed tarball, the CLI and the example server as processes,
//   the built imports, and the TSDoc examples. The package is built once per run (buildPackage.ts).
// - db: everything else, against PostgreSQL (TEST_DATABASE_URL, else an embedded server). A new
//   test file lands here unless it is listed in one of the two other lanes.
export const UNIT_TESTS = [
  'tests/config.docs.test.ts',
  'tests/config.test.ts',
  'tests/errorCodes.test.ts',
  'tests/http-server.settings.test.ts',
  'tests/migrations.frozen.test.ts',
  'tests/migrator.plan.test.ts',
  'tests/startupParameters.test.ts',
  'tests/tlsConfig.test.ts',
  'tests/uuidv7.test.ts',
];
export const PACKAGE_TESTS = [
  'tests/cli.process.test.ts',
  'tests/http-server.start.test.ts',
  'tests/package.test.ts',
  'tests/performance.imports.test.ts',
  'tests/tsdoc.examples.test.ts',
];
// Need a pgbouncer executable, or PostgreSQL's server binaries: run by `npm run test:pgbouncer`
// (vitest.pgbouncer.config.ts) and `npm run test:replicas` (vitest.replicas.config.ts). The
// neon-serverless driver's suite is slow: `npm run test:neon` (vitest.neon.config.ts).
const SEPARATE_SUITES = ['tests/pgbouncer*.test.ts', 'tests/replicas*.test.ts', 'tests/neon*.test.ts'];

// One PostgreSQL server for the db and package lanes together (see globalSetup.ts); the unit lane never starts one.
const DATABASE_SETUP = 'tests/support/globalSetup.ts';

export default mergeConfig(
  shared,
  defineConfig({
    test: {
      projects: [
        { extends: true, test: { name: 'unit', include: UNIT_TESTS } },
        {
          extends: true,
          test: {
            name: 'db',
            include: ['tests/**/*.test.ts'],
            exclude: [...configDefaults.exclude, ...UNIT_TESTS, ...PACKAGE_TESTS, ...SEPARATE_SUITES],
            globalSetup: [DATABASE_SETUP],
          },
        },
        {
          extends: true,
          test: { name: 'package', include: PACKAGE_TESTS, globalSetup: [DATABASE_SETUP, 'tests/support/buildPackage.ts'] },
        },
      ],
    },
  }),
);
