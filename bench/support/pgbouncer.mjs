import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const TEST_HELPER = fileURLToPath(new URL('../../tests/support/pgbouncer.ts', import.meta.url));
// Inside the repository (git-ignored), so that the compiled helper finds node_modules.
const SCRATCH = fileURLToPath(new URL('../../.tmp/', import.meta.url));

/**
 * The tests' PgBouncer starter (tests/support/pgbouncer.ts), compiled on the fly with esbuild (a
 * dependency of tsup), so that the benchmarks run the very PgBouncer set-up the tests do.
 * Resolves to `{ bouncer }`, or to `{ skipped: reason }` when it cannot start (no pgbouncer executable).
 */
export async function startPgBouncer(serverUrl, options) {
  const { build } = await import('esbuild');
  mkdirSync(SCRATCH, { recursive: true });
  const dir = mkdtempSync(join(SCRATCH, 'bench-'));
  try {
    const outfile = join(dir, 'pgbouncer.mjs');
    await build({
      entryPoints: [TEST_HELPER],
      bundle: true,
      packages: 'external',
      platform: 'node',
      format: 'esm',
      outfile,
      logLevel: 'error',
    });
    const helper = await import(pathToFileURL(outfile).href);
    return { bouncer: await helper.startPgBouncer(serverUrl, options) };
  } catch (error) {
    return { skipped: error instanceof Error ? error.message.split('\n')[0] : String(error) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
