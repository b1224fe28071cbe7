// @ts-check
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const CHILD_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'embeddedPostgresProcess.js');
const START_TIMEOUT_MS = 120_000; // the first start runs initdb
const STOP_TIMEOUT_MS = 8_000;

/**
 * @typedef {object} EmbeddedPostgres
 * @property {string} url       Connection URL, with the password: give it to createDatabase, never to a log.
 * @property {{host: string, port: number, database: string, dataDir: string}} location Safe to log.
 * @property {() => Promise<void>} stop Stops PostgreSQL; the data folder stays. Safe to call twice.
 */

/**
 * Starts an embedded PostgreSQL whose data lives in `dataDir` (created on first use, kept
 * afterwards, so data survives a restart). Its superuser password is made at random on first
 * use and kept in `dataDir/password` (mode 0600).
 *
 * @param {{ dataDir: string, port?: number, onLog?: (line: string) => void }} options
 * @returns {Promise<EmbeddedPostgres>}
 */
export async function startEmbeddedPostgres({ dataDir, port, onLog = () => {} }) {
  // As root, PostgreSQL runs as the user `postgres`, which must be able to enter this folder.
  mkdirSync(dataDir, { recursive: true });
  chmodSync(dataDir, 0o755);
  const password = readOrCreatePassword(join(dataDir, 'password'));
  const pgPort = port ?? (await freePort());

  const child = spawn(process.execPath, [CHILD_SCRIPT], { detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  createInterface({ input: /** @type {import('node:stream').Readable} */ (child.stderr) }).on('line', onLog);
  const stdin = /** @type {import('node:stream').Writable} */ (child.stdin);
  stdin.write(`${JSON.stringify({ dataDir: join(dataDir, 'pgdata'), port: pgPort, password })}\n`);
  await waitForReady(child);

  /** @type {Promise<void> | undefined} */
  let stopping;
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${pgPort}/postgres`,
    location: { host: '127.0.0.1', port: pgPort, database: 'postgres', dataDir },
    stop() {
      stopping ??= stopChild(child, stdin);
      return stopping;
    },
  };
}

/** @param {string} file */
function readOrCreatePassword(file) {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const password = randomBytes(18).toString('base64url');
  writeFileSync(file, `${password}\n`, { mode: 0o600 });
  return password;
}

/** @param {import('node:child_process').ChildProcess} child */
function waitForReady(child) {
  return new Promise((resolve, reject) => {
    const fail = (/** @type {string} */ message) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(message));
    };
    const timer = setTimeout(() => fail(`embedded PostgreSQL did not start within ${START_TIMEOUT_MS / 1000} s`), START_TIMEOUT_MS);
    const lines = createInterface({ input: /** @type {import('node:stream').Readable} */ (child.stdout) });
    lines.once('line', (line) => {
      const message = parseLine(line);
      if (message.ready === true) {
        clearTimeout(timer);
        resolve(undefined);
      } else {
        fail(`embedded PostgreSQL failed to start: ${message.error ?? line}`);
      }
    });
    child.once('exit', (code) => fail(`embedded PostgreSQL exited during start (code ${code})`));
  });
}

/** @param {string} line @returns {{ ready?: boolean, error?: string }} */
function parseLine(line) {
  try {
    return JSON.parse(line);
  } catch {
    return {};
  }
}

/**
 * @param {import('node:child_process').ChildProcess} child
 * @param {import('node:stream').Writable} stdin
 * @returns {Promise<void>}
 */
function stopChild(child, stdin) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    stdin.end(); // the child stops PostgreSQL when its stdin closes
  });
}

/** @returns {Promise<number>} a TCP port free on loopback right now */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port'))));
    });
  });
}
