import { Writable } from 'node:stream';
import pino from 'pino';
import type { Database } from 'tododb';
import { buildApp } from '../../examples/http-server/app.js';

/** The example's HTTP app listening on a free port, with its database and its log lines. */
export interface ExampleServer {
  baseUrl: string;
  db: Database;
  /** Every log line written so far, parsed. */
  logs: Record<string, unknown>[];
  /** The raw log output, to search for things that must never appear. */
  rawLogs(): string;
  request(method: string, path: string, options?: { body?: unknown; headers?: Record<string, string> }): Promise<ApiResponse>;
  close(): Promise<void>;
}

export interface ApiResponse {
  status: number;
  headers: Headers;
  /** Parsed JSON, or undefined for an empty body. */
  body: any;
}

/**
 * Starts the example's app in this process on `url` with the example's short timeouts,
 * listening on port 0 as a test should; resolves once its migrations are applied.
 */
export async function startExampleServer(url: string): Promise<ExampleServer> {
  let raw = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      raw += chunk.toString();
      done();
    },
  });
  const app = buildApp({
    database: { url, connectTimeoutMs: 3_000, pool: { max: 5, acquireTimeoutMs: 3_000 } },
    env: {},
    logger: pino({ level: 'info' }, stream),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  await app.migrations.settled;
  if (!app.migrations.ready) throw new Error(`the example's migrations failed: ${app.migrations.reason}`);
  const db = app.db;
  const address = app.server.address();
  if (typeof address !== 'object' || address === null) throw new Error('the server has no address');
  const baseUrl = `http://127.0.0.1:${address.port}`;

  return {
    baseUrl,
    db,
    get logs() {
      return raw
        .split('\n')
        .filter((line) => line.length > 0)
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    rawLogs: () => raw,
    async request(method, path, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      if (options.body !== undefined) headers['content-type'] ??= 'application/json';
      const response = await fetch(`${baseUrl}${path}`, {
        method,
        headers,
        body: options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
      });
      const text = await response.text();
      return { status: response.status, headers: response.headers, body: text === '' ? undefined : JSON.parse(text) };
    },
    async close() {
      await app.close(); // closes the database too: the app's plugin owns it
    },
  };
}
