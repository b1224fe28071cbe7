// A WebSocket-to-TCP proxy on loopback, as Neon runs in front of each database: the
// `@neondatabase/serverless` driver sends the PostgreSQL protocol as binary WebSocket messages,
// and the proxy writes them to a TCP connection to the server, and back. Plain JavaScript so
// that the tests (TypeScript) and the benchmarks (`bench/*.mjs`) share it.
//
// It forwards every connection to the one target it was started with, whatever address the
// client asks for: it can never be used to reach anything else.
import { connect } from 'node:net';
import { WebSocketServer } from 'ws';

/**
 * @typedef {object} WebSocketProxy
 * @property {number} port Where it listens, on 127.0.0.1.
 * @property {(host: string, port: number | string) => string} wsProxy What `neonConfig.wsProxy` must be set to.
 * @property {() => number} opened How many WebSocket connections it has accepted so far.
 * @property {() => number} messages How many WebSocket messages clients have sent so far.
 * @property {() => void} freeze Black-holes every open connection: from now on nothing is read
 *   from its client or its server, and nothing is answered, not even a WebSocket close.
 * @property {() => Promise<void>} close Drops every connection and stops listening.
 */

/**
 * Starts the proxy on a free port of 127.0.0.1, forwarding to `target` (a PostgreSQL server).
 *
 * @param {{ host: string; port: number }} target
 * @returns {Promise<WebSocketProxy>}
 */
export async function startWebSocketProxy(target) {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  /** @type {Set<import('node:net').Socket>} */
  const sockets = new Set();
  let opened = 0;
  let messages = 0;

  server.on('connection', (ws, request) => {
    opened += 1;
    // No Nagle, as a proxy must: the driver sends a statement as several small messages, and
    // Nagle's algorithm would hold the second until the server's delayed ACK (some 40 ms).
    const upstream = connect({ port: target.port, host: target.host, noDelay: true });
    sockets.add(upstream);
    sockets.add(request.socket);
    request.socket.on('close', () => sockets.delete(request.socket));
    // Messages that arrive before the TCP connection is up are queued by the socket itself.
    ws.on('message', (data) => {
      messages += 1;
      upstream.write(/** @type {Buffer} */ (data));
    });
    upstream.on('data', (chunk) => ws.send(chunk));
    // A server that is down or goes away closes the WebSocket, as Neon's proxy does.
    upstream.on('error', () => ws.terminate());
    upstream.on('close', () => {
      sockets.delete(upstream);
      ws.close();
    });
    ws.on('close', () => upstream.destroy());
    ws.on('error', () => upstream.destroy());
  });

  const address = /** @type {import('node:net').AddressInfo} */ (server.address());
  return {
    port: address.port,
    wsProxy: () => `127.0.0.1:${address.port}/v2`,
    opened: () => opened,
    messages: () => messages,
    freeze() {
      for (const socket of sockets) socket.pause();
    },
    async close() {
      for (const ws of server.clients) ws.terminate();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(() => resolve(undefined)));
    },
  };
}
