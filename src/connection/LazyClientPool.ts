import pg from 'pg';

type ConnectCallback = (error: Error | undefined, client: pg.PoolClient | undefined, done: (release?: boolean | Error) => void) => void;

/**
 * A pg-pool whose client class is made on first use, from a driver loaded asynchronously (an
 * ES module can only be imported so): `connect()` waits for it, then behaves as pg-pool's.
 * Everything else (counts, `end()`) works before it is there, as on a pool with no connection.
 */
export class LazyClientPool extends pg.Pool {
  private loading: Promise<void> | undefined;
  private loaded = false;

  constructor(
    options: pg.PoolConfig,
    private readonly makeClientClass: () => Promise<typeof pg.Client>,
  ) {
    super(options);
  }

  override connect(): Promise<pg.PoolClient>;
  override connect(callback: ConnectCallback): void;
  // biome-ignore lint/suspicious/noConfusingVoidType: pg-pool's own overloads: a promise, or nothing with a callback.
  override connect(callback?: ConnectCallback): Promise<pg.PoolClient> | void {
    // Once the class is there, pg-pool's own connect(), without a promise in between.
    if (this.loaded) return callback ? super.connect(callback) : super.connect();
    const connected = this.loadClientClass().then(() => super.connect());
    if (!callback) return connected;
    connected.then(
      (client) => callback(undefined, client, client.release),
      (error: Error) => callback(error, undefined, () => {}),
    );
  }

  private loadClientClass(): Promise<void> {
    if (!this.loading) {
      const loading = this.makeClientClass().then((Client) => {
        // pg-pool makes each client with `new this.Client(options)`.
        (this as unknown as { Client: typeof pg.Client }).Client = Client;
        this.loaded = true;
      });
      // A failed load (the package was removed, `ws` is broken) is tried again by the next call.
      loading.catch(() => {
        if (this.loading === loading) this.loading = undefined;
      });
      this.loading = loading;
    }
    return this.loading;
  }
}
