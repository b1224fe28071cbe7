// driver: 'neon-serverless' against driver: 'pg' on the same server. Prints two tables; asserts
// nothing.
//
//   npm run bench:neon
//
// 1. Hot paths (get a task, list 20, create a task) at 1 and 16 callers: the neon driver through a
//    WebSocket-to-TCP proxy (tests/support/webSocketProxy.mjs, in a process of its own, as Neon's
//    proxy is a hop of its own), pg through a plain TCP proxy in a process of its own (the same
//    path: one hop more, one process more) and pg straight to the server; with tododb's default
//    (coalesceWrites off) and with the driver's own default (coalesceWrites on).
// 2. Cold connect: the client's flights (a run of bytes sent before the next answer arrives, so
//    one round trip each) from nothing to the first row of a service call, counted by a TCP proxy
//    in front of what the client connects to, for each way of authenticating.
//
// The server is an embedded PostgreSQL of its own (as Neon's, it asks for a clear-text password;
// one role asks for SCRAM-SHA-256), on 127.0.0.1, removed afterwards. Runs the built package.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { neonConfig } from '@neondatabase/serverless';
import pg from 'pg';
import { seedUsersAndTasks } from './support/benchDatabase.mjs';
import { median, microsPerOp } from './support/stats.mjs';
import { createDatabase, createMigrator } from '../dist/index.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const OPS = { 1: Number(process.env.BENCH_OPS_SERIAL ?? 600), 16: Number(process.env.BENCH_OPS_PARALLEL ?? 2400) };
const POOL = 8;
const PASSWORD = 'bench_password';
const root = new URL('..', import.meta.url);

/** Starts a child process running `args` and resolves with its first line of output, and the child. */
async function startChild(args) {
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`${args[0]} exited with ${code}`)));
  });
  return { child, line };
}

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A TCP proxy that counts the client's flights: bytes from the client after the server last spoke. */
async function startCountingProxy(target) {
  let flights = 0;
  const server = createServer((client) => {
    let last = 'server';
    const upstream = connect(target, '127.0.0.1');
    client.on('data', (chunk) => {
      if (last === 'server') flights += 1;
      last = 'client';
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      last = 'server';
      client.write(chunk);
    });
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    flights: () => flights,
    reset: () => (flights = 0),
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

// The server, with a role per way of authenticating (the first matching pg_hba line wins).
const pgPort = await freePort();
const postgres = await startChild([
  'tests/support/embedded-postgres-server.mjs',
  join(tmpdir(), `tododb-bench-neon-${process.pid}`),
  String(pgPort),
  'auth=password',
]);
const adminUrl = `postgres://postgres:postgres@127.0.0.1:${pgPort}/postgres`;
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
for (const role of ['bench_password', 'bench_scram']) await admin.query(`CREATE ROLE ${role} LOGIN SUPERUSER PASSWORD '${PASSWORD}'`);
const hba = (await admin.query('SHOW hba_file')).rows[0].hba_file;
writeFileSync(hba, `host all bench_scram 127.0.0.1/32 scram-sha-256\n${readFileSync(hba, 'utf8')}`);
await admin.query('SELECT pg_reload_conf()');
await admin.query('CREATE DATABASE bench');

// The WebSocket proxy in a process of its own: it prints its port.
const proxySource = `import { startWebSocketProxy } from './tests/support/webSocketProxy.mjs';
  const proxy = await startWebSocketProxy({ host: '127.0.0.1', port: ${pgPort} });
  console.log(proxy.port); process.stdin.on('end', () => process.exit(0)); process.stdin.resume();`;
const wsProxy = await startChild(['--input-type=module', '-e', proxySource]);
const wsPort = Number(wsProxy.line);
// pg's same path: a TCP proxy in a process of its own, in front of the same server.
const tcpProxySource = `import { connect, createServer } from 'node:net';
  const server = createServer({ noDelay: true }, (socket) => {
    const upstream = connect({ port: ${pgPort}, host: '127.0.0.1', noDelay: true });
    socket.pipe(upstream).pipe(socket);
    const end = () => { socket.destroy(); upstream.destroy(); };
    for (const side of [socket, upstream]) { side.on('error', end); side.on('close', end); }
  });
  server.listen(0, '127.0.0.1', () => console.log(server.address().port));
  process.stdin.on('end', () => process.exit(0)); process.stdin.resume();`;
const tcpProxy = await startChild(['--input-type=module', '-e', tcpProxySource]);
const tcpProxyPort = Number(tcpProxy.line);
let wsTarget = wsPort; // where the driver's WebSockets go: the proxy, or the counting proxy in front of it
neonConfig.wsProxy = () => `127.0.0.1:${wsTarget}/v2`;
neonConfig.useSecureWebSocket = false;

const url = (role, port = pgPort, host = '127.0.0.1') => `postgres://${role}:${PASSWORD}@${host}:${port}/bench`;
const handles = [];
const open = (config) => {
  const db = createDatabase({ pool: { max: POOL, idleMs: 600_000 }, ...config }, {});
  handles.push(db);
  return db;
};

try {
  const pgDb = open({ url: url('bench_password') });
  await createMigrator(pgDb).up();
  const users = await seedUsersAndTasks(pgDb, url('bench_password'));
  const reader = new pg.Client({ connectionString: url('bench_password') });
  await reader.connect();
  const tasks = (await reader.query('SELECT id, user_id FROM tasks')).rows;
  await reader.end();
  const anyTask = (i) => tasks[(i * 7919) % tasks.length];

  // Each handle opens its connections with the neonConfig of that moment: warm them now.
  const warm = (db) => Promise.all(Array.from({ length: POOL }, () => db.transaction(() => db.users.get(users[0]))));
  const neonDb = open({ url: url('bench_password', 5432, 'ep-bench.neon.test'), driver: 'neon-serverless' });
  const proxiedDb = open({ url: url('bench_password', tcpProxyPort) });
  await Promise.all([warm(pgDb), warm(neonDb), warm(proxiedDb)]);
  neonConfig.coalesceWrites = true;
  const coalescedDb = open({ url: url('bench_password', 5432, 'ep-bench.neon.test'), driver: 'neon-serverless' });
  await warm(coalescedDb);
  neonConfig.coalesceWrites = undefined;

  const cases = {
    'get task': (db) => (i) => db.tasks.get(anyTask(i).user_id, anyTask(i).id),
    'list 20 newest': (db) => (i) => db.tasks.list(users[i % users.length], { limit: 20 }),
    'create task': (db) => (i) => db.tasks.create(users[i % users.length], { title: 'new task' }),
  };
  const variants = { pg: pgDb, 'pg via proxy': proxiedDb, neon: neonDb, 'neon coalesced': coalescedDb };

  // Calls per second of a round.
  const measure = async (run, ops, concurrency) => 1e6 / (await microsPerOp(run, ops, concurrency));

  console.log(`hot paths, ${cpus().length} cores, load ${loadavg()[0].toFixed(2)}: pool ${POOL}, median of ${ROUNDS} rounds, ops/s`);
  console.log('ratio = neon ops/s ÷ ops/s of pg through a TCP proxy, the same path (goal: ≥ 0.80); "direct" is pg with no proxy;');
  console.log(`"coalesced" is the driver's own default, coalesceWrites on, against pg through the proxy`);
  console.log(
    `${'case'.padEnd(15)} ${'callers'.padStart(7)} ${'pg direct'.padStart(9)} ${'pg proxy'.padStart(9)} ${'neon'.padStart(8)} ${'ratio'.padStart(6)} ${'coalesced'.padStart(10)} ${'ratio'.padStart(6)}`,
  );
  for (const concurrency of [1, 16]) {
    for (const [name, make] of Object.entries(cases)) {
      const results = Object.fromEntries(Object.keys(variants).map((variant) => [variant, []]));
      for (const db of Object.values(variants)) await measure(make(db), 100, concurrency);
      for (let round = 0; round < ROUNDS; round += 1) {
        // Rotate which goes first so that none always gets the warmest cache.
        const order = Object.keys(variants);
        for (let k = 0; k < round % order.length; k += 1) order.push(order.shift());
        for (const variant of order) results[variant].push(await measure(make(variants[variant]), OPS[concurrency], concurrency));
      }
      const [directRate, pgRate, neonRate, coalescedRate] = ['pg', 'pg via proxy', 'neon', 'neon coalesced'].map((variant) =>
        median(results[variant]),
      );
      console.log(
        `${name.padEnd(15)} ${String(concurrency).padStart(7)} ${directRate.toFixed(0).padStart(9)} ${pgRate.toFixed(0).padStart(9)} ${neonRate.toFixed(0).padStart(8)} ${(neonRate / pgRate).toFixed(2).padStart(6)} ${coalescedRate.toFixed(0).padStart(10)} ${(coalescedRate / pgRate).toFixed(2).padStart(6)}`,
      );
    }
  }

  // Cold connect: a new handle's first service call, flights counted in front of the first hop.
  const known = users[0];
  const flightsOf = async (config, counting) => {
    counting.reset();
    const db = createDatabase({ pool: { max: 1 }, ...config }, {});
    try {
      await db.users.get(known);
      return counting.flights();
    } finally {
      await db.close();
    }
  };
  const inFrontOfPostgres = await startCountingProxy(pgPort);
  const inFrontOfWebSockets = await startCountingProxy(wsPort);
  wsTarget = inFrontOfWebSockets.port;
  const rows = [
    ['pg, clear-text password', await flightsOf({ url: url('bench_password', inFrontOfPostgres.port) }, inFrontOfPostgres)],
    ['pg, SCRAM-SHA-256', await flightsOf({ url: url('bench_scram', inFrontOfPostgres.port) }, inFrontOfPostgres)],
    [
      'neon, pipelined (clear-text password)',
      await flightsOf({ url: url('bench_password', 5432, 'ep-bench.neon.test'), driver: 'neon-serverless' }, inFrontOfWebSockets),
    ],
  ];
  neonConfig.pipelineConnect = false;
  rows.push([
    'neon, pipelineConnect false, SCRAM',
    await flightsOf({ url: url('bench_scram', 5432, 'ep-bench.neon.test'), driver: 'neon-serverless' }, inFrontOfWebSockets),
  ]);
  neonConfig.pipelineConnect = 'password';
  await inFrontOfPostgres.close();
  await inFrontOfWebSockets.close();
  console.log('\ncold connect: round trips from nothing to the first row of db.users.get(), after the TCP handshake, without TLS');
  for (const [name, flights] of rows) console.log(`${name.padEnd(40)} ${String(flights).padStart(3)}`);
} finally {
  await Promise.all(handles.map((db) => db.close()));
  await admin.end();
  wsProxy.child.stdin.end();
  tcpProxy.child.stdin.end();
  postgres.child.stdin.end();
  await new Promise((resolve) => postgres.child.once('exit', resolve));
}
