import type pg from 'pg';
import { migrations } from '../../migrations/index.js';
import { clientSettings, type ClientSettings } from '../connection/clientSettings.js';
import type { Connections } from '../connection/Connections.js';
import { loadDriver, type Driver } from '../connection/loadDriver.js';
import { connectionsOf, type Database } from '../database/createDatabase.js';
import { translateError } from '../errors/translateError.js';
import { TABLES, qualified } from '../schema/names.js';
import type { CheckHealthOptions, HealthReport } from './HealthReport.js';

const DEFAULT_TIMEOUT_MS = 2_000;
const MAX_TIMER_MS = 2_147_483_647;

class ProbeTimeout extends Error {}

/**
 * Reports whether the database is usable right now. It never throws and never hangs: whatever
 * happens it resolves within `timeoutMs` (default 2 s) plus a few milliseconds.
 *
 * The probe runs on a connection of its own, opened for it and closed after it, so a tododb
 * pool whose every connection is busy cannot starve it; and it proves what a restarted or
 * failed-over database must prove, that a new connection can be made. (Behind PgBouncer the
 * probe still waits for one of PgBouncer's server connections: when they are all busy it
 * reports the timeout.) Nothing in the report names a password, URL, user or host.
 *
 * @example
 * ```ts
 * const report = await checkHealth(db, { timeoutMs: 1000 });
 * if (report.status === 'error') console.warn(report.reason);
 * ```
 */
export function checkHealth(db: Database, options: CheckHealthOptions = {}): Promise<HealthReport> {
  const timeoutMs = validTimeout(options?.timeoutMs);
  if (typeof db !== 'object' || db === null) return probeHealth(db, timeoutMs);
  // Callers that ask at the same time share one probe: a burst of requests to a public health
  // endpoint opens one connection, not one each, and cannot exhaust max_connections.
  let probes = inFlight.get(db);
  if (!probes) {
    probes = new Map();
    inFlight.set(db, probes);
  }
  let probe = probes.get(timeoutMs);
  if (!probe) {
    probe = probeHealth(db, timeoutMs).finally(() => probes.delete(timeoutMs));
    probes.set(timeoutMs, probe);
  }
  return probe;
}

const inFlight = new WeakMap<Database, Map<number, Promise<HealthReport>>>();

async function probeHealth(db: Database, timeoutMs: number): Promise<HealthReport> {
  const started = performance.now();
  const checkedAt = new Date().toISOString();
  let connections: Connections;
  try {
    connections = connectionsOf(db);
  } catch {
    return { status: 'error', latencyMs: elapsed(started), checkedAt, reason: 'not a database created by createDatabase()', pool: { max: 0, inUse: 0, idle: 0, waiting: 0 } };
  }
  const pool = connections.stats();
  const fail = (reason: string): HealthReport => ({ status: 'error', latencyMs: elapsed(started), checkedAt, reason, pool });
  if (connections.closed) return fail('the database handle is closed');

  const config = connections.config;
  const settings: ClientSettings = {
      ...clientSettings(config),
      application_name: `${config.applicationName}:health`,
      connectionTimeoutMillis: timeoutMs,
      query_timeout: timeoutMs,
      // Same reason as the pool's: PgBouncer in transaction mode rejects startup parameters.
      statement_timeout: config.pgbouncer ? undefined : timeoutMs,
  };
  const migrationTable = qualified(config.schema, TABLES.migrations);

  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProbeTimeout()), timeoutMs);
  });
  let finished = false;
  let driver: Driver | undefined;
  let client: pg.Client | undefined;
  try {
    // The handle's driver and its rules (channel binding on pg, Neon's over WebSockets).
    driver = await Promise.race([loadDriver(config.driver), timeout]);
    client = new driver.Client(settings);
    driver.prepareClient(client, settings);
    client.on('error', () => {}); // a late socket error after we gave up must not crash the process
    const probe = await Promise.race([runProbe(client, migrationTable), timeout]);
    finished = true;
    const pending = migrations.length - probe.applied;
    return {
      status: pending > 0 ? 'error' : 'ok',
      latencyMs: probe.latencyMs,
      checkedAt,
      ...(pending > 0 ? { reason: `${pending} migration(s) pending: run \`tododb migrate up\`` } : {}),
      serverVersion: probe.serverVersion,
      pool,
      migrations: { applied: probe.applied, pending },
    };
  } catch (error) {
    if (error instanceof ProbeTimeout) return fail(`no answer within ${timeoutMs} ms`);
    return fail(translateError(error).message);
  } finally {
    clearTimeout(timer);
    if (client && driver) close(client, driver, finished);
  }
}

async function runProbe(client: pg.Client, migrationTable: string): Promise<{ latencyMs: number; serverVersion: string; applied: number }> {
  await client.connect();
  const probeStarted = performance.now();
  const { rows } = await client.query<{ version: string; tracked: boolean }>(
    `SELECT current_setting('server_version') AS version, to_regclass($1) IS NOT NULL AS tracked`,
    [migrationTable],
  );
  const latencyMs = elapsed(probeStarted);
  const row = rows[0]!;
  let applied = 0;
  if (row.tracked) {
    const known = migrations.map((migration) => migration.name);
    const result = await client.query<{ count: string }>(`SELECT count(*) AS count FROM ${migrationTable} WHERE name = ANY($1)`, [known]);
    applied = Number(result.rows[0]!.count);
  }
  return { latencyMs, serverVersion: row.version.split(' ')[0]!, applied };
}

// A clean goodbye when the probe finished; otherwise the socket is destroyed, since a server
// that never answered will not answer a Terminate either.
function close(client: pg.Client, driver: Driver, finished: boolean): void {
  if (finished) {
    client.end().catch(() => {});
    return;
  }
  driver.destroySocket(client);
  client.end().catch(() => {});
}

// Above 2^31 - 1 ms Node fires a timer at once; such a timeout is clamped to that.
function validTimeout(value: unknown): number {
  if (typeof value !== 'number' || !(value > 0)) return DEFAULT_TIMEOUT_MS;
  return Math.min(Math.ceil(value), MAX_TIMER_MS);
}

function elapsed(since: number): number {
  return Math.round((performance.now() - since) * 100) / 100;
}
