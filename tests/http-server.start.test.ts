// The example server as it runs for real, in a child process: `server.js` (the entry point a
// deployment runs, with DATABASE_URL) and `dev/start.js` (what `npm start` runs: a fresh
// embedded PostgreSQL when DATABASE_URL is unset, the server under it), stopped by SIGTERM or
// SIGINT; and the server started while its database is down. It runs on a private copy of the
// package lane's build of this run (tests/support/buildPackage.ts), never a stale dist/.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { finished } from 'node:stream/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { copyBuiltPackage } from './support/buildPackage.js';
import { freePort } from './support/embeddedPostgres.js';
import { startTcpProxy } from './support/tcpProxy.js';
import { createTestDatabase } from './support/testDatabase.js';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
let work: string;

beforeAll(() => {
  // Inside the repository, not in a 0700 temp folder: as root, PostgreSQL runs as the user
  // `postgres`, which must reach the data folder.
  mkdirSync(join(REPO_ROOT, '.tmp'), { recursive: true });
  work = mkdtempSync(join(REPO_ROOT, '.tmp', 'start-test-'));
  chmodSync(work, 0o755);
  copyBuiltPackage(inject('builtPackage'), work);
  cpSync(join(REPO_ROOT, 'examples', 'http-server'), join(work, 'examples', 'http-server'), {
    recursive: true,
    filter: (source) => !source.split(/[\\/]/).includes('.data'),
  });
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

interface RunningServer {
  child: ChildProcess;
  port: number;
  output(): string;
  /** Polls GET /health until 200; returns how long it took since spawn, in ms. */
  waitForHealth(): Promise<number>;
  /** Polls until `path` answers `status`; returns the response and how long it took since the call, in ms. */
  waitForStatus(path: string, status: number): Promise<{ ms: number; response: Response }>;
  /** Resolves with the first log line for which `match` is true. */
  waitForLog(match: (line: Record<string, any>) => boolean): Promise<Record<string, any>>;
  /** Sends `signal`; resolves with the exit code and how long the exit took, in ms. */
  stop(signal: NodeJS.Signals): Promise<{ code: number | null; ms: number }>;
}

// Servers still running when a test ends: one that failed before stopping its server must not
// leave it running after the suite (it would keep retrying its database for good).
const running = new Set<ChildProcess>();
afterEach(() => {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
});

/** `server`: server.js, the entry point to deploy; `npm start`: dev/start.js, what `npm start` runs. */
type Entry = 'server' | 'npm start';

async function startServer(
  env: Record<string, string>,
  options: { entry: Entry; underShell?: boolean; cwd?: string },
): Promise<RunningServer> {
  const port = await freePort();
  const { DATABASE_URL: _url, TEST_DATABASE_URL: _test, NODE_ENV: _nodeEnv, ...inherited } = process.env;
  const spawned = performance.now();
  // cwd is the private copy, which has no .env: a developer's .env must not change the test.
  const entry = join(work, 'examples', 'http-server', options.entry === 'server' ? 'server.js' : join('dev', 'start.js'));
  // `underShell` runs it as `npm start` does: under `sh -c`, which does not pass SIGTERM on.
  const [command, args] = options.underShell ? ['sh', ['-c', `"${process.execPath}" "${entry}"`]] : [process.execPath, [entry]];
  const child = spawn(command, args, {
    cwd: options.cwd ?? work,
    env: { ...inherited, PORT: String(port), LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const outputChanged = new EventTarget();
  const append = (chunk: Buffer) => {
    output += chunk.toString();
    outputChanged.dispatchEvent(new Event('data'));
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  running.add(child);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  exited.then(() => outputChanged.dispatchEvent(new Event('data')));

  return {
    child,
    port,
    output: () => output,
    async waitForHealth() {
      for (;;) {
        if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}:\n${output}`);
        const status = await fetch(`http://127.0.0.1:${port}/health`).then(
          (response) => response.status,
          () => 0,
        );
        if (status === 200) return performance.now() - spawned;
        if (performance.now() - spawned > 90_000) throw new Error(`no healthy server within 90 s:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async waitForStatus(path, status) {
      const started = performance.now();
      for (;;) {
        if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}:\n${output}`);
        const response = await fetch(`http://127.0.0.1:${port}${path}`).catch(() => undefined);
        if (response?.status === status) return { ms: performance.now() - started, response };
        await response?.body?.cancel();
        if (performance.now() - started > 90_000) throw new Error(`GET ${path} did not answer ${status} within 90 s:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    waitForLog(match) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const line = logLines(output).find(match);
          if (line !== undefined) {
            outputChanged.removeEventListener('data', check);
            resolve(line);
          } else if (child.exitCode !== null) {
            outputChanged.removeEventListener('data', check);
            reject(new Error(`the server exited with ${child.exitCode} before the expected log line:\n${output}`));
          }
        };
        outputChanged.addEventListener('data', check);
        check();
      });
    },
    async stop(signal) {
      const started = performance.now();
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(timer);
      return { code, ms: performance.now() - started };
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function logLines(output: string): Record<string, any>[] {
  // Only complete lines: the last one may still be arriving.
  return output
    .split('\n')
    .slice(0, -1)
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line));
}

describe('`npm start` with DATABASE_URL unset (embedded PostgreSQL)', () => {
  it('starts on a fresh data folder, stops on SIGTERM with exit 0, and keeps the data for the next start', {
    timeout: 180_000,
  }, async () => {
    const dataDir = join(work, 'data');
    const first = await startServer({ TODODB_EXAMPLE_DATA_DIR: dataDir }, { entry: 'npm start' });
    const startupMs = await first.waitForHealth();
    const created = await fetch(`http://127.0.0.1:${first.port}/api/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'smoke-1' },
      body: JSON.stringify({ email: 'kept@example.com' }),
    });
    expect(created.status).toBe(201);
    const user = (await created.json()) as { id: string };

    const firstStop = await first.stop('SIGTERM');
    expect(firstStop.code, first.output()).toBe(0);
    expect(firstStop.ms).toBeLessThan(10_000);
    expect(existsSync(join(dataDir, 'pgdata', 'PG_VERSION'))).toBe(true);
    expect(existsSync(join(dataDir, 'pgdata', 'postmaster.pid'))).toBe(false); // PostgreSQL was stopped

    const lines = logLines(first.output());
    const location = lines.filter((line) => String(line.msg).startsWith('database: embedded PostgreSQL'));
    expect(location).toHaveLength(1);
    expect(location[0]!.msg).toContain(dataDir);
    expect(lines.find((line) => line.reqId === 'smoke-1' && line.msg === 'request completed')).toMatchObject({
      responseTime: expect.any(Number),
    });
    const password = readFileSync(join(dataDir, 'password'), 'utf8').trim();
    expect(first.output()).not.toContain(password);
    expect(first.output()).not.toContain('postgres://');

    const second = await startServer({ TODODB_EXAMPLE_DATA_DIR: dataDir }, { entry: 'npm start' });
    const restartMs = await second.waitForHealth();
    const kept = await fetch(`http://127.0.0.1:${second.port}/api/users/${user.id}`);
    expect(kept.status).toBe(200);
    expect(await kept.json()).toMatchObject({ email: 'kept@example.com' });
    const secondStop = await second.stop('SIGINT');
    expect(secondStop.code, second.output()).toBe(0);
    expect(secondStop.ms).toBeLessThan(10_000);
    expect(second.output()).not.toContain(password);

    console.info(
      `embedded: first start (initdb) ${Math.round(startupMs)} ms to /health 200, SIGTERM exit in ${Math.round(firstStop.ms)} ms; ` +
        `second start ${Math.round(restartMs)} ms, SIGINT exit in ${Math.round(secondStop.ms)} ms`,
    );
  });
});

describe('server.js with DATABASE_URL set', () => {
  it('migrates a fresh database with several instances starting at once, and stops cleanly', { timeout: 120_000 }, async () => {
    const database = await createTestDatabase({ migrated: false });
    try {
      const servers = await Promise.all([1, 2, 3].map(() => startServer({ DATABASE_URL: database.url }, { entry: 'server' })));
      await Promise.all(servers.map((server) => server.waitForHealth()));
      const health = (await fetch(`http://127.0.0.1:${servers[0]!.port}/health`).then((response) => response.json())) as Record<
        string,
        any
      >;
      expect(health.migrations).toEqual({ applied: 3, pending: 0 });

      const applied = servers.flatMap((server) =>
        logLines(server.output()).filter((line) => line.msg === 'migration' && line.outcome === 'done'),
      );
      expect(applied.map((line) => line.migration).sort()).toEqual([
        '0001-create-users',
        '0002-create-tasks',
        '0003-tasks-row-level-security',
      ]);

      const password = new URL(database.url).password;
      for (const server of servers) {
        const output = server.output();
        expect(output).not.toContain('postgres://');
        if (password) expect(output).not.toContain(password);
        expect(logLines(output).some((line) => String(line.msg).startsWith('database: '))).toBe(true);
        const { code } = await server.stop('SIGTERM');
        expect(code, output).toBe(0);
      }
    } finally {
      await database.drop();
    }
  });

  it('finishes a request in flight before exiting on SIGTERM', { timeout: 60_000 }, async () => {
    const database = await createTestDatabase();
    try {
      const server = await startServer({ DATABASE_URL: database.url }, { entry: 'server' });
      await server.waitForHealth();
      const body = JSON.stringify({ email: 'in-flight@example.com' });
      const request = httpRequest({
        host: '127.0.0.1',
        port: server.port,
        method: 'POST',
        path: '/api/users',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-request-id': 'in-flight' },
      });
      const answered = new Promise<number | undefined>((resolve, reject) => {
        request.on('response', (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode));
        });
        request.on('error', reject);
      });
      // Half a body: the request has arrived (Fastify logs it on its headers) and is not done when SIGTERM comes.
      request.write(body.slice(0, 10));
      await server.waitForLog((line) => line.reqId === 'in-flight' && line.msg === 'incoming request');
      const stopped = server.stop('SIGTERM');
      await server.waitForLog((line) => line.msg === 'shutting down');
      expect(server.child.exitCode).toBeNull(); // still waiting for the request
      request.end(body.slice(10));

      expect(await answered).toBe(201);
      const exit = await stopped;
      expect(exit.code, server.output()).toBe(0);
      expect(exit.ms).toBeLessThan(2_000); // the finished request's keep-alive connection does not hold it
      const messages = logLines(server.output()).map((line) => (line.reqId === 'in-flight' ? `${line.msg} (in flight)` : line.msg));
      expect(messages.indexOf('request completed (in flight)')).toBeGreaterThan(messages.indexOf('shutting down'));
      expect(messages.indexOf('request completed (in flight)')).toBeLessThan(messages.indexOf('closed database'));
    } finally {
      await database.drop();
    }
  });

  it('exits 1 with a one-line reason, and no password, when the configuration is invalid', async () => {
    const server = await startServer({ DATABASE_URL: 'mysql://admin:s3cret-pw@127.0.0.1/db' }, { entry: 'server' });
    const code = await new Promise((resolve) => server.child.once('exit', resolve));
    expect(code).toBe(1);
    expect(server.output()).toMatch(/could not start/);
    expect(server.output()).not.toContain('s3cret-pw');
  });
});

describe('server.js settings', () => {
  it('reads .env files from its working directory, .env.$NODE_ENV over .env, the environment over both', { timeout: 60_000 }, async () => {
    const database = await createTestDatabase();
    const cwd = mkdtempSync(join(work, 'cwd-'));
    try {
      writeFileSync(join(cwd, '.env'), 'DATABASE_URL=postgres://nobody@127.0.0.1:1/nothing\nLOG_LEVEL=silent\n');
      writeFileSync(join(cwd, '.env.staging'), `DATABASE_URL=${database.url}\nLOG_LEVEL=warn\n`);
      const server = await startServer({ NODE_ENV: 'staging', LOG_LEVEL: 'info' }, { entry: 'server', cwd });
      await server.waitForHealth(); // on .env.staging's database, not .env's
      const { code } = await server.stop('SIGTERM');
      expect(code, server.output()).toBe(0);
      // LOG_LEVEL=info from the environment, not warn or silent from the files.
      expect(logLines(server.output()).find((line) => String(line.msg).startsWith('settings: '))?.msg).toBe(
        'settings: .env, .env.staging and the environment',
      );
    } finally {
      rmSync(cwd, { recursive: true, force: true });
      await database.drop();
    }
  });
});

describe('under `sh -c`, as `npm start` runs it', () => {
  it('shuts down cleanly when its parent shell is stopped, instead of living on as an orphan', { timeout: 60_000 }, async () => {
    const database = await createTestDatabase();
    try {
      const server = await startServer({ DATABASE_URL: database.url }, { entry: 'npm start', underShell: true });
      await server.waitForHealth();
      await server.stop('SIGTERM'); // only the shell gets it
      const started = performance.now();
      let status = 200;
      while (status !== 0 && performance.now() - started < 5_000) {
        await sleep(100);
        status = await fetch(`http://127.0.0.1:${server.port}/health`).then(
          (response) => response.status,
          () => 0,
        );
      }
      expect(status, server.output()).toBe(0);
      // The server writes to the pipes it inherited from the shell: they end once it has exited.
      await Promise.all([finished(server.child.stdout!), finished(server.child.stderr!)]);
      expect(logLines(server.output()).some((line) => line.msg === 'shut down')).toBe(true);
    } finally {
      await database.drop();
    }
  });
});

describe('server.js with the database down at start', () => {
  // The database the server is pointed at: a port where nothing listens yet, until the test
  // starts a proxy there to the real server. The password is not needed (trust auth), only
  // there to prove that it never reaches the output.
  async function unreachableDatabase(database: { url: string }) {
    const port = await freePort();
    const real = new URL(database.url);
    const url = new URL(database.url);
    url.hostname = '127.0.0.1';
    url.port = String(port);
    url.password = 'pw-never-logged-4711';
    return {
      url: url.toString(),
      password: url.password,
      comeBack: () => startTcpProxy(port, { host: real.hostname, port: Number(real.port || 5432) }),
    };
  }
  const isRetryLine = (line: Record<string, any>) => line.msg === 'migrations not applied yet; retrying';

  it('listens at once, answers 503 until it can migrate, then serves within 5 s of the database coming back', {
    timeout: 120_000,
  }, async () => {
    const database = await createTestDatabase({ migrated: false });
    const target = await unreachableDatabase(database);
    let proxy: Awaited<ReturnType<typeof target.comeBack>> | undefined;
    try {
      const server = await startServer({ DATABASE_URL: target.url }, { entry: 'server' });
      await server.waitForStatus('/health/live', 200); // listening, although the database is down

      const health = await fetch(`http://127.0.0.1:${server.port}/health`);
      expect(health.status).toBe(503);
      expect(await health.json()).toMatchObject({ status: 'error', reason: expect.any(String) });
      const write = await fetch(`http://127.0.0.1:${server.port}/api/users`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'early@example.com' }),
      });
      expect(write.status).toBe(503);
      expect(write.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(write.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(await write.json()).toMatchObject({
        status: 503,
        code: 'NOT_READY',
        type: expect.any(String),
        title: expect.any(String),
        detail: expect.any(String),
      });
      expect((await fetch(`http://127.0.0.1:${server.port}/api/users/01900000-0000-7000-8000-000000000000`)).status).toBe(503);

      // Each failed attempt is one short line, without the URL or the password.
      const retry = await server.waitForLog(isRetryLine);
      expect(retry).toMatchObject({ level: 40, code: 'DATABASE_UNAVAILABLE', attempt: expect.any(Number), retryInMs: expect.any(Number) });
      expect(retry.retryInMs).toBeLessThanOrEqual(2_000);

      proxy = await target.comeBack();
      const back = await server.waitForStatus('/health', 200);
      expect(back.ms).toBeLessThan(5_000);
      expect(await back.response.json()).toMatchObject({ status: 'ok', migrations: { applied: 3, pending: 0 } });
      const created = await fetch(`http://127.0.0.1:${server.port}/api/users`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'after@example.com' }),
      });
      expect(created.status).toBe(201);
      const user = (await created.json()) as { id: string };
      expect((await fetch(`http://127.0.0.1:${server.port}/api/users/${user.id}`)).status).toBe(200);

      const { code } = await server.stop('SIGTERM');
      expect(code, server.output()).toBe(0);
      const retries = logLines(server.output()).filter(isRetryLine).length;
      expect(server.output()).not.toContain(target.password);
      expect(server.output()).not.toContain('postgres://');
      console.info(`database down at start: ${retries} failed attempt(s) logged; back: /health 200 after ${Math.round(back.ms)} ms`);
    } finally {
      await proxy?.close();
      await database.drop();
    }
  });

  it('shuts down at once and cleanly on SIGTERM while it is still retrying', { timeout: 60_000 }, async () => {
    const database = await createTestDatabase({ migrated: false });
    const target = await unreachableDatabase(database);
    try {
      const server = await startServer({ DATABASE_URL: target.url }, { entry: 'server' });
      await server.waitForLog(isRetryLine);
      const { code, ms } = await server.stop('SIGTERM');
      expect(code, server.output()).toBe(0);
      expect(ms).toBeLessThan(5_000);
      const messages = logLines(server.output()).map((line) => line.msg);
      expect(messages).toContain('closed database');
      expect(messages.at(-1)).toBe('shut down');
    } finally {
      await database.drop();
    }
  });
});
