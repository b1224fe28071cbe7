import type { TestProject } from 'vitest/node';
import pg from 'pg';
import { createDatabase, createMigrator } from '../../src/index.js';
import { startEmbeddedPostgres, type EmbeddedServer } from './embeddedPostgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the server the tests use (any database on it). */
    serverUrl: string;
    /** A database migrated to the latest schema, to clone per test file. */
    templateDatabase: string;
    /** Prefix of every database this run creates, so teardown finds them. */
    databasePrefix: string;
  }
}

/**
 * Gives the whole run one PostgreSQL server: TEST_DATABASE_URL when set, otherwise an embedded
 * one, so `npm test` works on a machine with no database. Migrates a template database once;
 * each test file clones it (see testDatabase.ts) and so runs in isolation, in parallel.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  let embedded: EmbeddedServer | undefined;
  let serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    embedded = await startEmbeddedPostgres();
    serverUrl = embedded.url;
  }
  const prefix = `tododb_t${process.pid}_`;
  const template = `${prefix}template`;

  await admin(serverUrl, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${template}`);
    await client.query(`CREATE DATABASE ${template}`);
  });
  const db = createDatabase({ url: withDatabase(serverUrl, template) }, {});
  try {
    await createMigrator(db).up();
  } finally {
    await db.close();
  }

  project.provide('serverUrl', serverUrl);
  project.provide('templateDatabase', template);
  project.provide('databasePrefix', prefix);

  return async () => {
    await admin(serverUrl, async (client) => {
      const { rows } = await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`${prefix}%`]);
      for (const { datname } of rows) {
        await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
      }
    });
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
