import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A folder holding this run's build of the package: dist/, package.json and a node_modules link. */
    builtPackage: string;
  }
}

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Builds the package once for the package lane, before its files run, into a folder of this
 * run's own (never the checkout's dist/, which a developer may be using). Test files copy its
 * dist/ into their own folders (see copyBuiltPackage) and never write into it, so they cannot
 * race one another. No declarations: the files that need them (the packed tarball) build their
 * own with `npm pack`, as a release does.
 */
export default function setup(project: TestProject): () => void {
  // Inside the repository, not in a 0700 temp folder: as root, PostgreSQL (the example's
  // embedded one) runs as the user `postgres`, which must reach it; and node_modules is near.
  mkdirSync(join(REPO_ROOT, '.tmp'), { recursive: true });
  const folder = mkdtempSync(join(REPO_ROOT, '.tmp', 'build-'));
  const build = spawnSync(
    process.execPath,
    [join(REPO_ROOT, 'node_modules', 'tsup', 'dist', 'cli-default.js'), '--no-dts', '--silent', '--out-dir', join(folder, 'dist')],
    {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    },
  );
  if (build.status !== 0) {
    rmSync(folder, { recursive: true, force: true });
    throw new Error(`The package lane's build failed:\n${build.stdout}\n${build.stderr}`);
  }
  // dist/cli.js and the example import the library as `tododb`: the package's self-reference.
  cpSync(join(REPO_ROOT, 'package.json'), join(folder, 'package.json'));
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(folder, 'node_modules'), 'dir');
  project.provide('builtPackage', folder);
  return () => rmSync(folder, { recursive: true, force: true });
}

/** Copies this run's build (dist/, package.json) into `folder`, a test file's own, with a node_modules link. */
export function copyBuiltPackage(builtPackage: string, folder: string): void {
  cpSync(join(builtPackage, 'dist'), join(folder, 'dist'), { recursive: true });
  cpSync(join(builtPackage, 'package.json'), join(folder, 'package.json'));
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(folder, 'node_modules'), 'dir');
}
