// @ts-check
import { createServer } from 'node:net';

/**
 * A free TCP port on loopback. Plain JavaScript, so that the TypeScript test support and the
 * plain-JS helpers the benchmarks also load (streamingReplica.mjs) share it.
 *
 * @returns {Promise<number>}
 */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
