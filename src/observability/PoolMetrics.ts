import type { Attributes, BatchObservableCallback, Histogram, Meter, MeterProvider, ObservableUpDownCounter } from '@opentelemetry/api';
import type { ResolvedConfig } from '../config/resolveConfig.js';
import type { PoolStats } from '../connection/Connections.js';
import { openTelemetry, tododbVersion } from './openTelemetry.js';

/** How long callers have waited for a connection of the pool, since the handle was made. */
export interface AcquireStats {
  /** Connections handed out (to service calls, transactions, model calls and the migrator). */
  acquired: number;
  /** The time callers spent waiting for them, in ms, added up: divided by `acquired`, the mean wait. */
  acquireWaitMs: number;
  /** The longest single wait, in ms. */
  maxAcquireWaitMs: number;
}

/** The connection-pool instruments of OpenTelemetry's database conventions, made once per meter. */
interface Instruments {
  count: ObservableUpDownCounter;
  max: ObservableUpDownCounter;
  pending: ObservableUpDownCounter;
  waitTime: Histogram;
}

const instrumentsByMeter = new WeakMap<Meter, Instruments>();

// Seconds, as the conventions measure time; buckets for waits from a free connection (well under
// a millisecond) to the acquire timeout (15 s by default).
const WAIT_BUCKETS = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30];

function instrumentsOf(meter: Meter): Instruments {
  let instruments = instrumentsByMeter.get(meter);
  if (!instruments) {
    instruments = {
      count: meter.createObservableUpDownCounter('db.client.connection.count', {
        unit: '{connection}',
        description: 'The number of connections that are currently in the state described by the state attribute',
      }),
      max: meter.createObservableUpDownCounter('db.client.connection.max', {
        unit: '{connection}',
        description: 'The maximum number of open connections allowed',
      }),
      pending: meter.createObservableUpDownCounter('db.client.connection.pending_requests', {
        unit: '{request}',
        description: 'The number of current pending requests for an open connection',
      }),
      waitTime: meter.createHistogram('db.client.connection.wait_time', {
        unit: 's',
        description: 'The time it took to obtain an open connection from the pool',
        advice: { explicitBucketBoundaries: WAIT_BUCKETS },
      }),
    };
    instrumentsByMeter.set(meter, instruments);
  }
  return instruments;
}

// Handles per pool name, so that two handles on one database report as two pools.
const handlesByName = new Map<string, number>();

/**
 * The pool figures of one handle: running figures of the waits for a connection, always, and with
 * `@opentelemetry/api` and a registered meter provider, the conventions' pool metrics —
 * `db.client.connection.count` (idle and used), `.max`, `.pending_requests` (observed at each
 * collection) and `.wait_time` (a histogram of each wait). They are registered with the
 * application's meter provider when one appears (checked at each acquire, so a provider
 * registered after createDatabase() is found) and removed by {@link close}.
 */
export class PoolMetrics {
  private acquired = 0;
  private waitMs = 0;
  private maxWaitMs = 0;
  private readonly attributes: Attributes;
  private provider: MeterProvider | undefined;
  private registered: { instruments: Instruments; meter: Meter; callback: BatchObservableCallback } | undefined;
  private closed = false;

  constructor(
    config: ResolvedConfig,
    private readonly stats: () => PoolStats,
  ) {
    // The conventions' default pool name, `server.address:server.port/db.namespace`; #2, #3, … for
    // further handles on the same database, since the name must be unique in the process.
    const name = `${config.connection.host}:${config.connection.port}/${config.connection.database}|${config.schema}`;
    const handles = (handlesByName.get(name) ?? 0) + 1;
    handlesByName.set(name, handles);
    this.attributes = { 'db.client.connection.pool.name': handles === 1 ? name : `${name}#${handles}` };
    this.instruments();
  }

  /** Records one caller's wait for a connection. */
  recordAcquire(waitMs: number): void {
    this.acquired += 1;
    this.waitMs += waitMs;
    if (waitMs > this.maxWaitMs) this.maxWaitMs = waitMs;
    this.instruments()?.waitTime.record(waitMs / 1000, this.attributes);
  }

  /** The running figures, for `db.stats()`. */
  figures(): AcquireStats {
    return { acquired: this.acquired, acquireWaitMs: this.waitMs, maxAcquireWaitMs: this.maxWaitMs };
  }

  /** Stops reporting this pool: its gauges are no longer observed. */
  close(): void {
    this.closed = true;
    this.unregister();
  }

  // The instruments on the application's current meter provider, registered on first sight of it.
  private instruments(): Instruments | undefined {
    if (this.closed) return undefined;
    const api = openTelemetry();
    if (!api) return undefined;
    const provider = api.metrics.getMeterProvider();
    if (provider !== this.provider) {
      this.unregister();
      this.provider = provider;
      const meter = provider.getMeter('tododb', tododbVersion());
      const instruments = instrumentsOf(meter);
      const callback: BatchObservableCallback = (result) => {
        const { inUse, idle, waiting, max } = this.stats();
        result.observe(instruments.count, idle, { ...this.attributes, 'db.client.connection.state': 'idle' });
        result.observe(instruments.count, inUse, { ...this.attributes, 'db.client.connection.state': 'used' });
        result.observe(instruments.max, max, this.attributes);
        result.observe(instruments.pending, waiting, this.attributes);
      };
      meter.addBatchObservableCallback(callback, [instruments.count, instruments.max, instruments.pending]);
      this.registered = { instruments, meter, callback };
    }
    return this.registered?.instruments;
  }

  private unregister(): void {
    if (!this.registered) return;
    const { meter, instruments, callback } = this.registered;
    meter.removeBatchObservableCallback(callback, [instruments.count, instruments.max, instruments.pending]);
    this.registered = undefined;
  }
}
