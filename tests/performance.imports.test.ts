// A process that uses only the service layer never loads Sequelize, sequelize-typescript or
// Umzug, nor @opentelemetry/api while no provider is registered with it (issue 9's cold start,
// createDatabase() and RSS goals rest on it): child processes import the built package
// (ESM and CommonJS), use it, and print which of those modules they loaded. The same children,
// touching db.models or migrating, do load them: the detection is seen to work.
//
// It runs on a private build of the package (see beforeAll), so that it neither reads a stale
// dist/ nor races another test file that rebuilds dist/.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runProcess } from './fixtures/cli.js';
import { copyBuiltPackage } from './support/buildPackage.js';
import { createTestDatabase, useDatabaseCopy } from './support/testDatabase.js';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const WATCHED = ['sequelize', 'sequelize-typescript', 'umzug', '@opentelemetry/api'];
let work: string;

// What each child does with the package, by mode. `loaded()` is defined per format below.
const BODY = `
  const db = createDatabase({ url: process.env.URL }, {});
  try {
    if (mode === 'migrate') {
      await createMigrator(db).up();
    } else {
      const user = await db.users.create({ email: 'imports-' + process.pid + '@example.com' });
      await db.tasks.create(user.id, { title: 'a task' });
      await db.tasks.list(user.id);
      if (mode === 'models') await db.models.Task.count();
    }
  } finally {
    await db.close();
  }
  await new Promise((resolve) => setImmediate(resolve)); // the loader hook's last messages
  console.log(JSON.stringify(loaded()));`;

// A package counts as loaded when a file of it is in the CommonJS module cache (Sequelize is
// required lazily, and an import of a CommonJS package loads it through that cache too) or was
// resolved by the ESM loader (seen by a resolve hook registered before the program starts).
const LOADED = `
  const watched = ${JSON.stringify(WATCHED)};
  const loaded = () => {
    const files = [...Object.keys(require.cache), ...(globalThis.resolvedUrls ?? [])];
    return watched.filter((name) => files.some((file) => file.includes('/node_modules/' + name + '/')));
  };`;

const PROGRAMS = {
  'probe.mjs': `
    import { createRequire } from 'node:module';
    import { createDatabase, createMigrator } from './dist/index.js';
    const require = createRequire(import.meta.url);
    const mode = process.argv[2];
    ${LOADED}
    ${BODY}`,
  'probe.cjs': `
    const { createDatabase, createMigrator } = require('./dist/index.cjs');
    const mode = process.argv[2];
    ${LOADED}
    (async () => {
      ${BODY}
    })();`,
  'register-hooks.mjs': `
    import { register } from 'node:module';
    import { MessageChannel } from 'node:worker_threads';
    const { port1, port2 } = new MessageChannel();
    globalThis.resolvedUrls = [];
    port1.on('message', (url) => globalThis.resolvedUrls.push(url));
    port1.unref();
    register('./hooks.mjs', import.meta.url, { data: { port: port2 }, transferList: [port2] });`,
  'hooks.mjs': `
    let port;
    export async function initialize(data) {
      port = data.port;
    }
    export async function resolve(specifier, context, nextResolve) {
      const resolved = await nextResolve(specifier, context);
      port.postMessage(resolved.url);
      return resolved;
    }`,
};

beforeAll(() => {
  // Inside the repository, so that the build finds node_modules through the symlink below.
  mkdirSync(join(REPO_ROOT, '.tmp'), { recursive: true });
  work = mkdtempSync(join(REPO_ROOT, '.tmp', 'imports-test-'));
  // A private copy of the package lane's build of this run (tests/support/buildPackage.ts).
  copyBuiltPackage(inject('builtPackage'), work);
  for (const [file, source] of Object.entries(PROGRAMS)) writeFileSync(join(work, file), source);
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Runs a probe with the resolve hook in place; returns the watched packages it loaded. */
async function loadedBy(file: string, mode: 'services' | 'models' | 'migrate', url: string): Promise<string[]> {
  const result = await runProcess(process.execPath, ['--import', './register-hooks.mjs', file, mode], {
    cwd: work,
    env: { ...process.env, URL: url },
  });
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout.trim().split('\n').pop()!) as string[];
}

describe.each(['probe.mjs', 'probe.cjs'])('a process that imports the built package (%s)', (file) => {
  const testDb = useDatabaseCopy();

  it('loads none of Sequelize, sequelize-typescript, Umzug and @opentelemetry/api when it uses only the service layer', async () => {
    expect(await loadedBy(file, 'services', testDb.url)).toEqual([]);
  });

  it('loads Sequelize and sequelize-typescript once it touches db.models', async () => {
    expect(await loadedBy(file, 'models', testDb.url)).toEqual(expect.arrayContaining(['sequelize', 'sequelize-typescript']));
  });

  it('loads Umzug once it applies migrations', async () => {
    const empty = await createTestDatabase({ migrated: false });
    try {
      expect(await loadedBy(file, 'migrate', empty.url)).toContain('umzug');
    } finally {
      await empty.drop();
    }
  });
});
