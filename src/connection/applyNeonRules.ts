import type { EventEmitter } from 'node:events';
import type pg from 'pg';
import { ConfigError, DatabaseUnavailableError } from '../errors/errors.js';
import type { ClientSettings } from './clientSettings.js';
import { coalesceWithinTick, type WritableSocket } from './coalesceWithinTick.js';
import { neonSettingsOf, terminateWebSocket, userHasSet, type NeonModule, type NeonSettings } from './neonInternals.js';

type ConnectCallback = (error: Error | undefined, client?: pg.Client) => void;

// What the server answered the startup message with, by the driver's event name.
const AUTH_REQUESTS: readonly [event: string, asked: string][] = [
  ['authenticationCleartextPassword', 'clear-text'],
  ['authenticationMD5Password', 'the server asked for an MD5 password'],
  ['authenticationSASL', 'the server asked for SCRAM-SHA-256'],
  ['authenticationOk', 'the server let the client in without a password (trust)'],
];

/**
 * tododb's rules for a connection of the neon-serverless driver, applied when it connects, with
 * the `neonConfig` of that moment (the user may set it after `createDatabase()`):
 *
 * - Unless the user set `coalesceWrites`: a statement's messages leave as one WebSocket message
 *   at once ({@link coalesceWithinTick}), not a timer tick later (the driver's coalescing costs
 *   about 1.5 ms per statement on a warm connection) nor as one frame each (half the speed).
 * - On Node 20, which has no global `WebSocket`, the `ws` package when the user set no
 *   `webSocketConstructor`; neither is a `ConfigError` that says what to install.
 * - A URL that asks for TLS gets it, or no connection: the TLS is the WebSocket's (`wss://`,
 *   `useSecureWebSocket`), or the driver's own inside the tunnel (`forceDisablePgSSL = false`,
 *   which cannot open with direct TLS). With neither the driver would silently send everything,
 *   the password too, in plain text.
 * - A pipelined connect (`pipelineConnect: 'password'`, the driver's default) sends a clear-text
 *   password before the server asks for one, and reports the connection made at once. A server
 *   that asks for SCRAM or MD5 instead, or trusts, then fails the first query with a protocol or
 *   password error that reads like a wrong password. As soon as the server's first answer shows
 *   that, the connection is closed with a {@link DatabaseUnavailableError} that says what the
 *   server asked for and what to set.
 *
 * Call it on a new client, before `connect()`.
 */
export function applyNeonRules(client: pg.Client, settings: ClientSettings, neon: NeonModule, webSocket: unknown): void {
  const connection = (client as unknown as { connection: EventEmitter }).connection;
  const connect = client.connect.bind(client) as (callback?: ConnectCallback) => Promise<void> | undefined;

  const checkedConnect = (callback?: ConnectCallback): Promise<void> | undefined => {
    const own = neonSettingsOf(client);
    try {
      prepare(own, settings, neon, webSocket);
    } catch (error) {
      if (!callback) return Promise.reject(error);
      process.nextTick(callback, error);
      return undefined;
    }
    const pipelined = own.pipelineConnect === 'password';
    const connecting = connect(callback);
    // After connect(): a pipelining driver removes every listener of the clear-text request there.
    if (pipelined) watchFirstRequest(client, connection);
    return connecting;
  };
  client.connect = checkedConnect as typeof client.connect;
}

function watchFirstRequest(client: pg.Client, connection: EventEmitter): void {
  const listeners = AUTH_REQUESTS.map(([event, asked]) => {
    const listener = () => {
      for (const [name, added] of listeners) connection.off(name, added);
      if (asked === 'clear-text') return;
      // Before the driver answers the request: the first query fails with this reason.
      terminateWebSocket(client);
      connection.emit('error', pipelineRefusal(asked));
    };
    return [event, listener] as const;
  });
  for (const [event, listener] of listeners) connection.on(event, listener);
}

function prepare(own: NeonSettings, settings: ClientSettings, neon: NeonModule, webSocket: unknown): void {
  if (own.webSocketConstructor === undefined && typeof (globalThis as { WebSocket?: unknown }).WebSocket === 'undefined') {
    if (webSocket === undefined) {
      throw new ConfigError(
        'driver',
        'The neon-serverless driver needs a WebSocket implementation, and this Node.js has none: `npm install ws` (tododb then uses it), or set neonConfig.webSocketConstructor',
      );
    }
    own.webSocketConstructor = webSocket;
  }
  if (!userHasSet(neon.neonConfig, 'coalesceWrites')) {
    own.coalesceWrites = false;
    coalesceWithinTick(own as unknown as WritableSocket);
  }

  const tlsAsked = settings.ssl !== undefined && settings.ssl !== false;
  if (!tlsAsked || own.useSecureWebSocket) return;
  if (own.forceDisablePgSSL) {
    throw new ConfigError(
      'ssl',
      'TLS is asked for (sslmode in the URL, `ssl` or DATABASE_SSL), but neonConfig.useSecureWebSocket is false and neonConfig.forceDisablePgSSL is true: nothing would be encrypted. Set neonConfig.useSecureWebSocket = true, or turn TLS off for a local WebSocket proxy',
    );
  }
  if (settings.sslnegotiation === 'direct') {
    throw new ConfigError(
      'ssl',
      "sslnegotiation=direct is asked for, but with neonConfig.useSecureWebSocket = false the driver's TLS inside the tunnel opens with PostgreSQL's SSLRequest: set neonConfig.useSecureWebSocket = true (the WebSocket's TLS is direct)",
    );
  }
}

function pipelineRefusal(asked: string): DatabaseUnavailableError {
  return new DatabaseUnavailableError(
    `The database is unavailable: ${asked}, but the neon-serverless driver sent a clear-text password before being asked (neonConfig.pipelineConnect = 'password', its default, which only a server that asks for a clear-text password accepts, as Neon's do): set neonConfig.pipelineConnect = false for this server`,
  );
}
