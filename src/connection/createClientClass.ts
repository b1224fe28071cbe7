import pg from 'pg';
import { requireChannelBinding } from './requireChannelBinding.js';
import type { ClientSettings } from './clientSettings.js';

/**
 * The pg `Client` class of one database handle: pg's own, with tododb's settings applied to every
 * connection whatever options the pool passes. It adds nothing per query (see QueryWatchdog).
 */
export function createClientClass(settings: ClientSettings): typeof pg.Client {
  const bindChannel = settings.enableChannelBinding === true;
  return class TododbClient extends pg.Client {
    constructor(options?: pg.ClientConfig) {
      super({ ...options, ...settings });
      if (bindChannel) requireChannelBinding(this);
      // A connection that fails while checked out (the server restarted between two statements of
      // a transaction) emits 'error' with nobody listening: without this the process would crash.
      // The pool sees `_queryable` turn false and drops the connection when it comes back.
      this.on('error', () => {});
    }
  } as typeof pg.Client;
}
