import type { EventEmitter } from 'node:events';
import type pg from 'pg';
import { DatabaseUnavailableError } from '../errors/errors.js';

const SCRAM_PLUS = 'SCRAM-SHA-256-PLUS';

interface PgConnection extends EventEmitter {
  stream: { destroy(): void };
}

type ConnectCallback = (error: Error | undefined, client?: pg.Client) => void;

/**
 * Makes `client` honour `channel_binding=require` as libpq does: it connects only after
 * authenticating with SCRAM-SHA-256-PLUS, which binds the password exchange to the server's TLS
 * certificate, so that an interceptor holding a certificate the client trusts cannot relay it.
 *
 * pg's `enableChannelBinding` alone only *prefers* binding: a server (or an interceptor) that
 * offers plain SCRAM, asks for an MD5 or clear-text password, or lets the client in without one
 * gets a connection anyway. Here each of those ends the connection with a
 * {@link DatabaseUnavailableError} that says why, before a password or a query is sent.
 *
 * Call it on a new client, before `connect()`: its listeners must run before pg's own, which
 * pg adds when connecting.
 */
export function requireChannelBinding(client: pg.Client): void {
  const connection = (client as unknown as { connection: PgConnection }).connection;
  let bound = false;
  const refusal = (reason: string) => new DatabaseUnavailableError(`The database is unavailable: channel_binding=require, but ${reason}`);
  // Before pg answers the request: the socket is gone when pg would send the password.
  const refuse = (reason: string) => {
    connection.stream.destroy();
    connection.emit('error', refusal(reason));
  };

  connection.on('authenticationCleartextPassword', () =>
    refuse('the server asked for a clear-text password instead of SCRAM-SHA-256-PLUS'),
  );
  connection.on('authenticationMD5Password', () => refuse('the server asked for an MD5 password instead of SCRAM-SHA-256-PLUS'));
  connection.on('authenticationSASL', (message: { mechanisms: string[] }) => {
    if (!message.mechanisms.includes(SCRAM_PLUS)) refuse('the server did not offer SCRAM-SHA-256-PLUS');
  });
  // By the server's challenge pg has chosen its mechanism: check the choice, not the offer,
  // before pg answers with its proof.
  connection.on('authenticationSASLContinue', () => {
    const session = (client as unknown as { saslSession?: { mechanism?: string } }).saslSession;
    if (session?.mechanism === SCRAM_PLUS) bound = true;
    else refuse('the client did not use SCRAM-SHA-256-PLUS');
  });

  // A server that lets the client in without a password (trust) sends AuthenticationOk and
  // ReadyForQuery in one go, so the check waits for the connection to be made, then drops it.
  const connect = client.connect.bind(client) as (callback: ConnectCallback) => void;
  const checkedConnect = (callback?: ConnectCallback): Promise<pg.Client> | undefined => {
    const done = new Promise<pg.Client>((resolve, reject) => {
      connect((error) => {
        if (error) {
          reject(error);
        } else if (!bound) {
          reject(refusal('the server let the client in without SCRAM-SHA-256-PLUS'));
          // After the caller has its answer: Sequelize takes an `end` before it as a timeout.
          setImmediate(() => client.end().catch(() => {}));
        } else {
          resolve(client);
        }
      });
    });
    if (!callback) return done;
    done.then(
      (connected) => callback(undefined, connected),
      (error: Error) => callback(error),
    );
    return undefined;
  };
  client.connect = checkedConnect as typeof client.connect;
}
