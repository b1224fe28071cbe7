import type pg from 'pg';
import { migrations } from '../../migrations/index.js';
import type { Connections } from '../connection/Connections.js';
import { connectionsOf, type Database } from '../database/createDatabase.js';
import { translateError } from '../errors/translateError.js';
import { dbAttributes } from '../observability/dbAttributes.js';
import { traceHealthProbe } from '../observability/traceHealthProbe.js';
import { TABLES, qualified } from '../schema/names.js';
import type { CheckHealthOptions, HealthReport, ReplicaHealth } from './HealthReport.js';
import { probeConnectionOf, type ProbeConnection } from './ProbeConnection.js';
import { probeReplica } from './probeReplica.js';

const DEFAULT_TIMEOUT_MS = 2_000;
const MAX_TIMER_MS = 2_147_483_647;

class ProbeTimeout extends Error {}

/**
 * Reports whether the database is usable right now. It never throws and never hangs: whatever
 * happens it resolves within `timeoutMs` (default 2 s) plus a few milliseconds.
 *
 * The probe runs on a connection of its own, outside the pool, so a tododb pool whose every
 * connection is busy cannot starve it. That connection is kept between probes (a probe is one
 * round trip) and replaced as soon as a probe fails or times out, so after a restart or a
 * failover the next probe proves that a new connection can be made. (Behind PgBouncer the probe
 * still waits for one of PgBouncer's server connections: when they are all busy it reports the
 * timeout.) Nothing in the report names a password, URL, user or host.
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
    // One span per probe, not per caller sharing it (src/observability).
    probe = traceHealthProbe(targetOf(db), () => probeHealth(db, timeoutMs)).finally(() => probes.delete(timeoutMs));
    probes.set(timeoutMs, probe);
  }
  return probe;
}

const inFlight = new WeakMap<Database, Map<number, Promise<HealthReport>>>();

function targetOf(db: Database) {
  try {
    return dbAttributes(connectionsOf(db).config);
  } catch {
    return undefined; // not a handle: probeHealth reports that
  }
}

async function probeHealth(db: Database, timeoutMs: number): Promise<HealthReport> {
  const started = performance.now();
  const checkedAt = new Date().toISOString();
  let connections: Connections;
  try {
    connections = connectionsOf(db);
  } catch {
    return {
      status: 'error',
      latencyMs: elapsed(started),
      checkedAt,
      reason: 'not a database created by createDatabase()',
      pool: { max: 0, inUse: 0, idle: 0, waiting: 0 },
    };
  }
  const pool = connections.stats();
  const fail = (reason: string): HealthReport => ({ status: 'error', latencyMs: elapsed(started), checkedAt, reason, pool });
  if (connections.closed) return fail('the database handle is closed');

  const { config } = connections;
  const migrationTable = qualified(config.schema, TABLES.migrations);
  const connection = probeConnectionOf(connections);
  // Alongside the primary's probe, within the same time: a replica never delays the report.
  const replicas: Promise<ReplicaHealth[]> | undefined =
    config.replicas.length > 0 ? Promise.all(config.replicas.map((target) => probeReplica(config, target, timeoutMs))) : undefined;
  const withReplicas = async (report: HealthReport): Promise<HealthReport> => (replicas ? { ...report, replicas: await replicas } : report);
  // One timer bounds everything — opening the connection and both queries — so the probe never
  // hangs, whatever the server does.
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProbeTimeout()), timeoutMs);
  });
  try {
    const probe = await Promise.race([
      connection.open().then((client) => runProbe(connection, client, migrationTable, config.preparedStatements)),
      timeout,
    ]);
    const pending = migrations.length - probe.applied;
    return await withReplicas({
      status: pending > 0 ? 'error' : 'ok',
      latencyMs: probe.latencyMs,
      checkedAt,
      ...(pending > 0 ? { reason: `${pending} migration(s) pending: run \`tododb migrate up\`` } : {}),
      serverVersion: probe.serverVersion,
      pool,
      migrations: { applied: probe.applied, pending },
    });
  } catch (error) {
    connection.discard();
    if (error instanceof ProbeTimeout) return await withReplicas(fail(`no answer within ${timeoutMs} ms`));
    return await withReplicas(fail(translateError(error).message));
  } finally {
    clearTimeout(timer);
  }
}

// The names of tododb's own migrations, which the probe counts as applied.
const KNOWN_MIGRATIONS = migrations.map((migration) => migration.name);
// The probe's one statement, by name on its own connection.
const PROBE_STATEMENT = 'tododb_health';
// The migration table, or its schema, is gone.
const TABLE_GONE = new Set(['42P01', '3F000']);

/**
 * The probe's statements: one round trip once the migration table has been seen (the usual case:
 * a busy server makes each round trip the slow part of a probe), two until then, the first
 * finding out whether the table is there without failing when it is not.
 */
async function runProbe(
  connection: ProbeConnection,
  client: pg.Client,
  migrationTable: string,
  prepared: boolean,
): Promise<{ latencyMs: number; serverVersion: string; applied: number }> {
  if (connection.migrationTableSeen) {
    try {
      return await readApplied(client, migrationTable, prepared);
    } catch (error) {
      if (!TABLE_GONE.has((error as { code?: unknown }).code as string)) throw error;
      connection.migrationTableSeen = false; // dropped since: the two statements again
    }
  }
  const probeStarted = performance.now();
  const { rows } = await client.query<{ version: string; tracked: boolean }>(
    `SELECT current_setting('server_version') AS version, to_regclass($1) IS NOT NULL AS tracked`,
    [migrationTable],
  );
  const row = rows[0]!;
  if (!row.tracked) return { latencyMs: elapsed(probeStarted), serverVersion: serverVersion(row.version), applied: 0 };
  connection.migrationTableSeen = true;
  return readApplied(client, migrationTable, prepared);
}

/** The server's version and how many of tododb's migrations the migration table records, in one statement. */
async function readApplied(
  client: pg.Client,
  migrationTable: string,
  prepared: boolean,
): Promise<{ latencyMs: number; serverVersion: string; applied: number }> {
  const started = performance.now();
  // Prepared once per probe connection where the service layer's statements are (never through
  // PgBouncer): a busy server then only runs it. Number(): the count is read with pg's global
  // parsers, which an application may have changed.
  const { rows } = await client.query<{ version: string; applied: number | string }>({
    name: prepared ? PROBE_STATEMENT : undefined,
    text: `SELECT current_setting('server_version') AS version, (SELECT count(*) FROM ${migrationTable} WHERE name = ANY($1))::int AS applied`,
    values: [KNOWN_MIGRATIONS],
  });
  return { latencyMs: elapsed(started), serverVersion: serverVersion(rows[0]!.version), applied: Number(rows[0]!.applied) };
}

// `15.4 (Debian 15.4-1.pgdg120+1)` → `15.4`.
function serverVersion(setting: string): string {
  return setting.split(' ')[0]!;
}

// Above 2^31 - 1 ms Node fires a timer at once; such a timeout is clamped to that.
function validTimeout(value: unknown): number {
  if (typeof value !== 'number' || !(value > 0)) return DEFAULT_TIMEOUT_MS;
  return Math.min(Math.ceil(value), MAX_TIMER_MS);
}

function elapsed(since: number): number {
  return Math.round((performance.now() - since) * 100) / 100;
}
