import type { TestProject } from 'vitest/node';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedServer } from './embeddedPostgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the server the tests use (any database on it). */
    serverUrl: string;
  }
}

/**
 * Gives the whole run one PostgreSQL server: TEST_DATABASE_URL when set, otherwise an embedded
 * one, so `npm test` works on a machine with no database. Test files make their databases
 * with the test kit (see testDatabase.ts), which migrates a template once per server and
 * clones it, so each file runs in isolation, in parallel.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let embedded: EmbeddedServer | undefined;
  let serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    embedded = await startEmbeddedPostgres();
    serverUrl = embedded.url;
  }
  project.provide('serverUrl', serverUrl);
  return async () => {
    await embedded?.stop();
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
