import { createRequire } from 'node:module';

/**
 * The installed package's version. Read through the package's self-reference, which resolves
 * the same from `src/cli/` and from `dist/`.
 */
export function packageVersion(): string {
  const require = createRequire(import.meta.url);
  return (require('tododb/package.json') as { version: string }).version;
}
