import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, chmodSync, chownSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import pg from 'pg';
import { freePort } from './embeddedPostgres.js';

export interface PgBouncer {
  /** `postgres://user:password@127.0.0.1:<port>/<database>`: the server URL, pointed at PgBouncer. */
  url(database: string): string;
  port: number;
  /** Size of each database's server pool: never more server connections than this per database. */
  poolSize: number;
  /** Everything PgBouncer has logged so far (for failure messages). */
  log(): string;
  /** Runs an admin console command (`SHOW POOLS`, …) and returns its rows. */
  admin<Row extends pg.QueryResultRow>(command: string): Promise<Row[]>;
  stop(): Promise<void>;
}

const INSTALL_HINT =
  'PgBouncer is needed for `npm run test:pgbouncer` and was not found. Install it ' +
  '(Debian/Ubuntu: `sudo apt-get update && sudo apt-get install -y pgbouncer`; macOS: `brew install pgbouncer`) ' +
  'or set PGBOUNCER_BIN to the pgbouncer executable.';

/**
 * Starts a real PgBouncer in transaction mode on a free loopback port, in front of the
 * PostgreSQL server at `serverUrl` (any database on it: `* = host=… port=…`). Its pool per
 * database is `poolSize` server connections, fewer than the tests' clients, so that server
 * connections really are shared between clients as on Neon's pooled endpoint.
 *
 * Clients are trusted; PgBouncer logs in to the server with the URL's user and password, so it
 * works with a trust server (TEST_DATABASE_URL) and a password one (embedded PostgreSQL) alike.
 * `users` adds other logins (a test's own roles), which PgBouncer admits only when listed.
 * As root it runs as the user `postgres` (`PGBOUNCER_USER`), since PgBouncer refuses to run as root.
 * Throws, with how to install it, when there is no pgbouncer executable.
 */
export async function startPgBouncer(
  serverUrl: string,
  options: { poolSize?: number; users?: readonly { name: string; password: string }[] } = {},
): Promise<PgBouncer> {
  const bin = findPgBouncer();
  const poolSize = options.poolSize ?? 3;
  const server = new URL(serverUrl);
  const user = decodeURIComponent(server.username) || 'postgres';
  const password = decodeURIComponent(server.password);
  const runAs = process.getuid?.() === 0 ? (process.env.PGBOUNCER_USER ?? 'postgres') : undefined;

  const dir = mkdtempSync(join(tmpdir(), 'tododb-pgbouncer-'));
  const authFile = join(dir, 'users.txt');
  const configFile = join(dir, 'pgbouncer.ini');
  // Even with auth_type = trust, PgBouncer admits only the users its auth file lists.
  const users = [{ name: user, password }, ...(options.users ?? [])];
  writeFileSync(authFile, users.map((login) => `${quote(login.name)} ${quote(login.password)}\n`).join(''), { mode: 0o600 });

  let lastError: Error | undefined;
  // A port picked free can be taken before PgBouncer binds it: then try another.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    writeFileSync(
      configFile,
      [
        '[databases]',
        `* = host=${server.hostname} port=${server.port || 5432}`,
        '',
        '[pgbouncer]',
        'listen_addr = 127.0.0.1',
        `listen_port = ${port}`,
        'unix_socket_dir =',
        'auth_type = trust',
        `auth_file = ${authFile}`,
        `admin_users = ${user}`,
        'pool_mode = transaction',
        `default_pool_size = ${poolSize}`,
        'min_pool_size = 0',
        'reserve_pool_size = 0',
        `max_db_connections = ${poolSize}`,
        'max_client_conn = 500',
        // What Neon's pooler does too: PgBouncer's default (no startup parameters beyond its own
        // tracked ones), so a client that sends statement_timeout is refused as on Neon.
        'ignore_startup_parameters =',
        'logfile =',
        'pidfile =',
        'log_connections = 0',
        'log_disconnections = 0',
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    if (runAs !== undefined) {
      try {
        giveTo(runAs, [dir, authFile, configFile]);
      } catch (error) {
        rmSync(dir, { recursive: true, force: true });
        throw error;
      }
    }

    const child = spawn(bin, [...(runAs !== undefined ? ['-u', runAs] : []), configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    child.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    try {
      await waitForPort(child, port, () => log);
    } catch (error) {
      process.off('exit', killOnExit);
      child.kill('SIGKILL');
      lastError = error as Error;
      if (/address already in use/i.test(log)) continue;
      break;
    }

    const url = (database: string) => {
      const target = new URL(serverUrl);
      target.hostname = '127.0.0.1';
      target.port = String(port);
      target.pathname = `/${database}`;
      target.search = '';
      return target.toString();
    };
    return {
      url,
      port,
      poolSize,
      log: () => log,
      async admin<Row extends pg.QueryResultRow>(command: string) {
        // The admin console speaks the simple protocol only; pg uses it for a query without values.
        const client = new pg.Client({ connectionString: url('pgbouncer') });
        await client.connect();
        try {
          return (await client.query<Row>(command)).rows;
        } finally {
          await client.end();
        }
      },
      async stop() {
        process.off('exit', killOnExit);
        await stopChild(child);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  rmSync(dir, { recursive: true, force: true });
  throw lastError ?? new Error('PgBouncer did not start');
}

function findPgBouncer(): string {
  const explicit = process.env.PGBOUNCER_BIN;
  if (explicit) {
    if (!isExecutable(explicit)) throw new Error(`PGBOUNCER_BIN=${explicit} is not an executable. ${INSTALL_HINT}`);
    return explicit;
  }
  // Debian installs it in /usr/sbin, which is not on every user's PATH.
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/usr/local/bin', '/opt/homebrew/bin'];
  for (const dir of dirs) {
    if (dir && isExecutable(join(dir, 'pgbouncer'))) return join(dir, 'pgbouncer');
  }
  throw new Error(INSTALL_HINT);
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

// The auth file's format: "user" "password", with " doubled inside.
function quote(value: string): string {
  return `"${value.replaceAll('"', '""')}"`;
}

// PgBouncer drops to `user` before it reads its auth file: let that user read the folder.
function giveTo(user: string, paths: string[]): void {
  let uid: number;
  let gid: number;
  try {
    uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  } catch {
    throw new Error(
      `PgBouncer refuses to run as root and there is no user "${user}" to run it as: set PGBOUNCER_USER to an existing user.`,
    );
  }
  for (const path of paths) chownSync(path, uid, gid);
  chmodSync(paths[0]!, 0o700);
}

function waitForPort(child: ChildProcess, port: number, log: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 15_000;
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve();
    };
    const onExit = (code: number | null) => finish(new Error(`pgbouncer exited with code ${code} before listening:\n${log()}`));
    child.once('exit', onExit);
    child.once('error', (error) => finish(new Error(`pgbouncer could not be started: ${error.message}. ${INSTALL_HINT}`)));
    const attempt = () => {
      if (settled) return;
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        finish();
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) finish(new Error(`pgbouncer did not listen on ${port} within 15 s:\n${log()}`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    // SIGTERM: PgBouncer exits at once, also when a client is still connected.
    child.kill('SIGTERM');
  });
}
