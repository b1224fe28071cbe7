// The client-side bound on a query (queryTimeoutMs), for a server that stops answering after the
// connection was made: through a proxy that the test freezes, the query fails with a
// QueryTimeoutError close to the bound, its connection is closed, and the handle serves again as
// soon as the path answers.
import { connect, createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, QueryTimeoutError, type Database } from '../src/index.js';
import { useDatabaseCopy } from './support/testDatabase.js';

/** A proxy to the test database whose traffic can be frozen (bytes held, nothing forwarded). */
function freezableProxy(target: URL): Promise<{ port: number; freeze(on: boolean): void; close(): Promise<void> }> {
  let frozen = false;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {});
    }
    const forward = (from: Socket, to: Socket) => from.on('data', (chunk) => (frozen ? undefined : to.write(chunk)));
    forward(client, upstream);
    forward(upstream, client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({
        port,
        freeze: (on) => (frozen = on),
        close: async () => {
          for (const socket of sockets) socket.destroy();
          await new Promise((done) => server.close(done));
        },
      });
    });
  });
}

describe('a server that stops answering in the middle of a query', () => {
  const testDb = useDatabaseCopy();
  let proxy: Awaited<ReturnType<typeof freezableProxy>>;
  let db: Database;

  beforeAll(async () => {
    proxy = await freezableProxy(new URL(testDb.url));
    const url = new URL(testDb.url);
    url.host = `127.0.0.1:${proxy.port}`;
    db = createDatabase({ url: url.toString(), queryTimeoutMs: 600, connectTimeoutMs: 1000, pool: { max: 2 } }, {});
  });
  afterAll(async () => {
    await db?.close();
    await proxy?.close();
  });

  it('fails the query with QueryTimeoutError within the bound (plus the check interval), drops the connection and serves again', async () => {
    const user = await db.users.create({ email: 'frozen@example.com' });
    proxy.freeze(true);
    const started = performance.now();
    const error = await db.users.get(user.id).catch((e: unknown) => e);
    const waited = performance.now() - started;
    expect(error).toBeInstanceOf(QueryTimeoutError);
    expect(waited).toBeGreaterThanOrEqual(550);
    expect(waited).toBeLessThan(10_000); // far below "forever"; the bound is checked every 150 ms here
    expect(db.stats().inUse).toBe(0);

    proxy.freeze(false);
    expect((await db.users.get(user.id)).email).toBe('frozen@example.com');
  });

  it('bounds model calls and transactions the same way', async () => {
    const user = await db.users.create({ email: 'frozen-models@example.com' });
    proxy.freeze(true);
    // On the idle connection the pool holds: the statement gets no answer.
    const failed = await db.transaction((tx) => tx.users.get(user.id)).catch((e: unknown) => e);
    expect(failed, String(failed)).toBeInstanceOf(QueryTimeoutError);
    // Now every connection needs opening, and the frozen path cannot open one either.
    await expect(db.models.User.findByPk(user.id)).rejects.toThrow(/unavailable/);
    proxy.freeze(false);
    expect((await db.models.User.findByPk(user.id))?.email).toBe('frozen-models@example.com');
    expect(db.stats()).toMatchObject({ inUse: 0, waiting: 0 });
  });
});
