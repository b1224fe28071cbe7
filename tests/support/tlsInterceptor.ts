import { connect as connectTcp, createServer, type Socket } from 'node:net';
import { TLSSocket, connect as connectTls } from 'node:tls';
import type { Identity } from './tlsCertificates.js';

/** A listening interceptor: point a client at `port` instead of the server's. */
export interface TlsInterceptor {
  port: number;
  /** How many client connections it has relayed to the server so far. */
  relayed(): number;
  stop(): Promise<void>;
}

// PostgreSQL's SSLRequest: length 8, then the code 80877103.
const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);

/**
 * A man in the middle with a certificate the client trusts (`identity`, from the client's CA):
 * on 127.0.0.1 it answers PostgreSQL's SSLRequest, ends the client's TLS with its own
 * certificate, opens TLS of its own to the real server at `target` and relays the decrypted
 * bytes both ways. Password authentication (SCRAM included) passes through it unnoticed;
 * channel binding does not, since the client binds to this certificate and the server to its own.
 */
export async function startTlsInterceptor(
  target: { host: string; port: number; servername: string; ca: string },
  identity: Identity,
): Promise<TlsInterceptor> {
  const sockets = new Set<Socket>();
  let relayed = 0;
  const server = createServer((client) => {
    sockets.add(client);
    client.once('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    client.once('data', (first) => {
      if (!first.subarray(0, 8).equals(SSL_REQUEST)) {
        client.destroy();
        return;
      }
      client.write('S');
      const clientTls = new TLSSocket(client, { isServer: true, cert: identity.cert, key: identity.key });
      clientTls.on('error', () => client.destroy());
      clientTls.pause();
      openUpstream(target, (upstream) => {
        if (!upstream) {
          client.destroy();
          return;
        }
        sockets.add(upstream);
        upstream.once('close', () => {
          sockets.delete(upstream);
          clientTls.destroy();
        });
        clientTls.once('close', () => upstream.destroy());
        relayed += 1;
        clientTls.pipe(upstream);
        upstream.pipe(clientTls);
        clientTls.resume();
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('the interceptor has no port');
  return {
    port: address.port,
    relayed: () => relayed,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

// The interceptor's own way in: SSLRequest, 'S', then TLS to the real server (which it may
// even verify: it is a client like any other).
function openUpstream(
  target: { host: string; port: number; servername: string; ca: string },
  done: (upstream: Socket | undefined) => void,
): void {
  let settled = false;
  const finish = (upstream: Socket | undefined) => {
    if (settled) return;
    settled = true;
    done(upstream);
  };
  const raw = connectTcp(target.port, target.host);
  raw.on('error', () => {
    raw.destroy();
    finish(undefined);
  });
  raw.once('connect', () => raw.write(SSL_REQUEST));
  raw.once('data', (answer) => {
    if (answer.toString() !== 'S') {
      raw.destroy();
      finish(undefined);
      return;
    }
    const upstream = connectTls({ socket: raw, servername: target.servername, ca: target.ca });
    upstream.once('secureConnect', () => finish(upstream));
    upstream.on('error', () => {
      upstream.destroy();
      finish(undefined);
    });
  });
}
