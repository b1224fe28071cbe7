// Pool metrics as an operator reads them: db.stats() with the waits for a connection, and, with an
// OpenTelemetry meter provider registered (here after the handle was made), the conventions'
// connection-pool metrics of each handle, gone once the handle is closed.
import { metrics } from '@opentelemetry/api';
import { AggregationTemporality, MeterProvider, MetricReader, type DataPoint, type Histogram } from '@opentelemetry/sdk-metrics';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createDatabase, type Database } from '../src/index.js';
import { useTestDatabase } from './support/testDatabase.js';

/** Metrics on demand: `collect()` is what an exporter's reader does on its schedule. */
class TestReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

/** A promise and the function that resolves it, to order events without sleeping. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Resolves once `condition()` holds, checking after each turn of the event loop. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

const POOL_NAME = 'db.client.connection.pool.name';

describe('pool metrics', () => {
  const t = useTestDatabase();
  const reader = new TestReader();
  // Cumulative readers keep reporting a series that is no longer observed (the SDK's choice): a
  // delta reader shows what the handle still reports.
  const deltaReader = new TestReader({ aggregationTemporalitySelector: () => AggregationTemporality.DELTA });
  const meterProvider = new MeterProvider({ readers: [reader, deltaReader] });
  let db: Database;

  let poolName: unknown;

  /**
   * The data points of each metric, by its name, for the pool of `db`: the one with pool.max 1
   * (the test kit's own handle on the database has 10), remembered once found.
   */
  async function collect(from: MetricReader = reader): Promise<Map<string, DataPoint<unknown>[]>> {
    const { resourceMetrics } = await from.collect();
    const all = resourceMetrics.scopeMetrics.flatMap((scope) => scope.metrics);
    const max = all.find((metric) => metric.descriptor.name === 'db.client.connection.max');
    poolName ??= max?.dataPoints.find((point) => point.value === 1)?.attributes[POOL_NAME];
    expect(poolName).toBeDefined();
    return new Map(
      all.map((metric) => [
        metric.descriptor.name,
        (metric.dataPoints as DataPoint<unknown>[]).filter((point) => point.attributes[POOL_NAME] === poolName),
      ]),
    );
  }

  beforeAll(() => {
    db = createDatabase({ url: t.testDb.url, pool: { max: 1 } }, {});
  });
  afterAll(async () => {
    await db.close();
    metrics.disable();
    await meterProvider.shutdown();
  });

  it('counts connections handed out and the time callers waited for them in db.stats()', async () => {
    const user = await db.users.create({ email: 'waits@example.com' });
    const before = db.stats();
    expect(before).toMatchObject({ max: 1, acquired: 1, maxAcquireWaitMs: expect.any(Number), acquireWaitMs: expect.any(Number) });

    // One transaction holds the only connection; a second caller waits for it.
    const holding = deferred();
    const started = deferred();
    const first = db.transaction(async (tx) => {
      await tx.users.get(user.id);
      started.resolve();
      await holding.promise;
    });
    await started.promise;
    const second = db.users.get(user.id);
    await until(() => db.stats().waiting === 1);
    holding.resolve();
    await Promise.all([first, second]);

    const after = db.stats();
    expect(after).toMatchObject({ inUse: 0, waiting: 0, acquired: before.acquired + 2 });
    // The second caller's wait lasted at least until the first transaction let go.
    expect(after.maxAcquireWaitMs).toBeGreaterThan(0);
    expect(after.acquireWaitMs).toBeGreaterThanOrEqual(after.maxAcquireWaitMs);
  });

  it('reports the conventions’ pool metrics once a meter provider is registered, and none after close()', async () => {
    metrics.setGlobalMeterProvider(meterProvider);
    const user = await db.users.create({ email: 'metered@example.com' });

    const holding = deferred();
    const started = deferred();
    const first = db.transaction(async (tx) => {
      await tx.users.get(user.id);
      started.resolve();
      await holding.promise;
    });
    await started.promise;
    const second = db.users.get(user.id);
    await until(() => db.stats().waiting === 1);
    const busy = await collect();
    holding.resolve();
    await Promise.all([first, second]);

    const state = (points: DataPoint<unknown>[] | undefined, value: string) =>
      points?.find((point) => point.attributes['db.client.connection.state'] === value)?.value;
    expect(state(busy.get('db.client.connection.count'), 'used')).toBe(1);
    expect(state(busy.get('db.client.connection.count'), 'idle')).toBe(0);
    expect(busy.get('db.client.connection.max')?.[0]?.value).toBe(1);
    expect(busy.get('db.client.connection.pending_requests')?.[0]?.value).toBe(1);

    const idle = await collect();
    expect(state(idle.get('db.client.connection.count'), 'idle')).toBe(1);
    expect(idle.get('db.client.connection.pending_requests')?.[0]?.value).toBe(0);
    // users.create, the transaction and the second get: three waits, in seconds.
    const waits = idle.get('db.client.connection.wait_time')?.[0]?.value as Histogram | undefined;
    expect(waits?.count).toBe(3);
    expect(waits?.max).toBeGreaterThan(0);
    const server = new URL(inject('serverUrl'));
    expect(poolName).toBe(`${server.hostname}:${server.port || 5432}/${t.testDb.name}|public#2`);

    expect((await collect(deltaReader)).get('db.client.connection.count')).toHaveLength(2);
    await db.close();
    const closed = await collect(deltaReader);
    expect(closed.get('db.client.connection.count') ?? []).toEqual([]);
    expect(closed.get('db.client.connection.max') ?? []).toEqual([]);
    expect(closed.get('db.client.connection.pending_requests') ?? []).toEqual([]);
  });
});
