import type pg from 'pg';
import type { ClientSettings } from './clientSettings.js';
import type { Driver } from './loadDriver.js';
import { markBroken } from './pgInternals.js';

const QUERY_READ_TIMEOUT = 'Query read timeout';

/**
 * The `Client` class of one database handle: the driver's (pg's own, or Neon's pg-compatible
 * one), with tododb's settings applied to every connection whatever options the pool passes, the
 * driver's rules (channel binding on pg, see {@link Driver.prepareClient}), and two safety rules.
 */
export function createClientClass(settings: ClientSettings, driver: Driver): typeof pg.Client {
  const destroySocket = driver.destroySocket;
  return class TododbClient extends driver.Client {
    constructor(options?: pg.ClientConfig) {
      super({ ...options, ...settings });
      driver.prepareClient(this, settings);
      // A connection that fails while checked out (the server restarted between two statements of
      // a transaction) emits 'error' with nobody listening: without this the process would crash.
      // The pool sees `_queryable` turn false and drops the connection when it comes back.
      this.on('error', () => {});
    }

    // pg's query_timeout gives up on the answer but leaves the connection busy with the query it
    // gave up on: against a black-holed host every later query on it would wait too. A
    // connection that timed out is closed, and marked broken so that the pool drops it when it
    // comes back rather than when its socket's close arrives.
    override query(...args: unknown[]): never {
      const discard = () => {
        destroySocket(this);
        markBroken(this);
      };
      const last = args[args.length - 1];
      if (typeof last === 'function') {
        args[args.length - 1] = (error: Error | null, result: unknown) => {
          if (error?.message === QUERY_READ_TIMEOUT) discard();
          (last as (e: Error | null, r: unknown) => void)(error, result);
        };
      }
      const result = (super.query as (...a: unknown[]) => unknown)(...args);
      if (result instanceof Promise) {
        result.catch((error: unknown) => {
          if (error instanceof Error && error.message === QUERY_READ_TIMEOUT) discard();
        });
      }
      return result as never;
    }
  } as typeof pg.Client;
}
