import type { TestProject } from 'vitest/node';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedServer } from './embeddedPostgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the server the tests use (any database on it). */
    serverUrl: string;
  }
}

/** The run's server, shared by the lanes (Vitest projects) that list this setup. */
interface SharedServer {
  url: Promise<string>;
  embedded?: Promise<EmbeddedServer>;
  users: number;
}

// Vitest loads a global setup once per project, each in a module of its own, all in the one main
// process: the server is kept on globalThis so that the db and package lanes share one.
const SHARED = Symbol.for('tododb.tests.sharedServer');
const registry = globalThis as typeof globalThis & { [SHARED]?: SharedServer };

/**
 * Gives the whole run one PostgreSQL server: TEST_DATABASE_URL when set, otherwise an embedded
 * one, so `npm test` works on a machine with no database. Test files make their databases
 * with the test kit (see testDatabase.ts), which migrates a template once per server and
 * clones it, so each file runs in isolation, in parallel. The first lane to set up starts it;
 * the last to tear down stops it. The unit lane does not list this setup: it starts nothing.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let shared = registry[SHARED];
  if (!shared) {
    const embedded = process.env.TEST_DATABASE_URL ? undefined : startEmbeddedPostgres({ trustLocalhost: true });
    shared = {
      url: embedded ? embedded.then((server) => server.url) : Promise.resolve(process.env.TEST_DATABASE_URL!),
      embedded,
      users: 0,
    };
    registry[SHARED] = shared;
  }
  shared.users += 1;
  project.provide('serverUrl', await shared.url);
  return async () => {
    shared.users -= 1;
    if (shared.users > 0) return;
    delete registry[SHARED];
    await (await shared.embedded)?.stop();
  };
}

export async function admin<T>(serverUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}
