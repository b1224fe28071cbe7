import type pg from 'pg';
import type { ClientSettings } from './clientSettings.js';
import type { Driver } from './loadDriver.js';
import { markBroken, onServerSetting } from './pgInternals.js';

/**
 * The `Client` class of one database handle: the driver's (pg's own, or Neon's pg-compatible
 * one), with tododb's settings applied to every connection whatever options the pool passes, the
 * driver's rules (channel binding on pg, see {@link Driver.prepareClient}). It adds nothing per
 * query: the client-side bound on queries is the handle's QueryWatchdog.
 */
export function createClientClass(settings: ClientSettings, driver: Driver): typeof pg.Client {
  const destroySocket = driver.destroySocket;
  return class TododbClient extends driver.Client {
    /** The session's DateStyle as the server last reported it: records are read in ISO (see unreadableSession). */
    dateStyle: string | undefined;

    /**
     * The start-up parameters pg sends, with DateStyle `ISO, MDY`: a setting from the start-up
     * packet outranks one on the role, the database or the server, so records' timestamps always
     * come in the form they are read in. With Neon's pipelined connect the first statement leaves
     * before the server has reported any setting: this is what makes that statement safe.
     * PgBouncer tracks DateStyle per client and sets it on a server connection whose value
     * differs; `ISO, MDY` is PostgreSQL's default, word for word, so on a default server it never
     * has to.
     */
    getStartupConf(): Record<string, string> {
      const startup = (driver.Client.prototype as unknown as { getStartupConf(this: unknown): Record<string, string> }).getStartupConf.call(
        this,
      );
      return { ...startup, DateStyle: 'ISO, MDY' };
    }

    constructor(options?: pg.ClientConfig) {
      super({ ...options, ...settings });
      driver.prepareClient(this, settings);
      onServerSetting(this, 'DateStyle', (value) => {
        this.dateStyle = value;
      });
      // Results in text, whatever an application set pg.defaults.binary to for its own
      // connections: tododb's records and Sequelize's are read from text.
      (this as unknown as { binary: boolean }).binary = false;
      // A connection that fails while checked out (the server restarted between two statements of
      // a transaction) emits 'error' with nobody listening: without this the process would crash.
      // The pool sees `_queryable` turn false and drops the connection when it comes back.
      this.on('error', () => {});
    }

    /**
     * Closes the connection at once and marks it broken, so that the pool drops it when it comes
     * back rather than when its socket's close arrives: what the query watchdog does to a
     * connection whose server stopped answering.
     */
    discard(): void {
      destroySocket(this);
      markBroken(this);
    }
  } as typeof pg.Client;
}
