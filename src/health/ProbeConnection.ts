import type pg from 'pg';
import type { DriverName } from '../config/resolveDriver.js';
import { clientSettings, type ClientSettings } from '../connection/clientSettings.js';
import type { Connections } from '../connection/Connections.js';
import { loadDriver, type Driver } from '../connection/loadDriver.js';
import { isQueryable } from '../connection/pgInternals.js';

/**
 * The health probe's own connection to the primary: opened on the first probe, kept between
 * probes (a probe is then one round trip, not a new connection with its TLS and authentication),
 * replaced when a probe fails or times out, and closed with the handle. It sits outside the pool,
 * so a pool whose every connection is busy cannot starve it.
 */
export class ProbeConnection {
  private client: pg.Client | undefined;
  private driver: Driver | undefined;
  private closed = false;
  /** Whether the last probe found the migration table: the next one then reads it in the same statement. */
  migrationTableSeen = false;

  constructor(
    private readonly settings: ClientSettings,
    private readonly driverName: DriverName,
  ) {}

  /** The connection, opened when there is none usable. */
  async open(): Promise<pg.Client> {
    if (this.client && isQueryable(this.client)) return this.client;
    this.discard();
    // The handle's driver and its rules (channel binding on pg, Neon's over WebSockets).
    this.driver ??= await loadDriver(this.driverName);
    const driver = this.driver;
    const client = new driver.Client(this.settings);
    driver.prepareClient(client, this.settings);
    client.on('error', () => {}); // a socket error between probes: the next probe replaces it
    this.client = client;
    await client.connect();
    if (this.closed) this.discard();
    return client;
  }

  /** Drops the connection at once: after a failure or a timeout its state is unknown. */
  discard(): void {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    // A server that did not answer will not answer a Terminate either.
    this.driver?.destroySocket(client);
    client.end().catch(() => {});
  }

  close(): void {
    this.closed = true;
    const client = this.client;
    this.client = undefined;
    client?.end().catch(() => {});
  }
}

const probes = new WeakMap<Connections, ProbeConnection>();

/** The probe connection of a handle, made on first use and closed with the handle. */
export function probeConnectionOf(connections: Connections): ProbeConnection {
  let probe = probes.get(connections);
  if (!probe) {
    const { config } = connections;
    probe = new ProbeConnection(
      {
        ...clientSettings(config),
        application_name: `${config.applicationName}:health`,
        // The probe's own timer bounds connecting and every query (see checkHealth).
        connectionTimeoutMillis: undefined,
        query_timeout: undefined,
      },
      config.driver,
    );
    const made = probe;
    connections.onClose(() => made.close());
    probes.set(connections, probe);
  }
  return probe;
}
