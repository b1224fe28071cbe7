import { defineConfig } from 'tsup';

export default defineConfig([
  {
    // The library: ESM and CommonJS, each with its own declarations (.d.ts and .d.cts).
    entry: { index: 'src/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    // Error classes' names are part of the API (error.name, cross-build instanceof).
    keepNames: true,
    target: 'node20',
    platform: 'node',
    // No source maps in the package: the output is not minified and keeps its names, so a
    // stack trace into dist/ reads as is; maps would double the tarball (see README, Releases).
    sourcemap: false,
    // The builds run at once: this one empties dist/ but leaves the CLI's and the test kit's files alone.
    clean: ['!cli.js', '!testing.*'],
    // Migrations are imported from an explicit list and bundled: nothing is globbed at run time.
    splitting: false,
    // The CommonJS build needs `import.meta.url` for the lazy require of Sequelize (loadSequelize.ts).
    shims: true,
  },
  {
    // `tododb/testing`, the test kit: ESM and CommonJS with declarations, an entry of its own so
    // that `import 'tododb'` never loads it. Like the CLI it imports the library by its package
    // name, kept external in the code and in the declarations: `t.db` comes from the same copy
    // of tododb as the application's `import 'tododb'` (or `require`), and has the same types.
    entry: { testing: 'src/testing/index.ts' },
    format: ['esm', 'cjs'],
    external: ['tododb'],
    dts: true,
    target: 'node20',
    platform: 'node',
    sourcemap: false,
    clean: false,
    splitting: false,
    shims: false,
  },
  {
    // The `tododb` bin: ESM only. It imports the library by its package name, kept external,
    // so dist/cli.js loads dist/index.js through the package's self-reference: one copy of
    // the library, and the CLI can use nothing but the public API.
    entry: { cli: 'src/cli/bin.ts' },
    format: ['esm'],
    external: ['tododb'],
    dts: false,
    target: 'node20',
    platform: 'node',
    sourcemap: false,
    clean: false,
    splitting: false,
    shims: false,
  },
]);
