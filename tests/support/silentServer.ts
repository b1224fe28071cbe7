import { createServer, type Socket } from 'node:net';
import { afterAll, beforeAll } from 'vitest';

/**
 * A black-holed database host for the calling test file: a TCP server on loopback that accepts
 * connections, reads whatever is sent and never answers. `openSockets` counts the connections
 * still open, to prove a client gave up on them; `accepted` counts every connection ever made
 * to it, to prove a client stopped trying.
 */
export function useSilentServer(): { readonly port: number; readonly openSockets: number; readonly accepted: number } {
  let accepted = 0;
  const server = createServer((socket) => {
    accepted += 1;
    sockets.add(socket);
    socket.resume();
    socket.on('close', () => sockets.delete(socket));
  });
  const sockets = new Set<Socket>();
  let port = 0;
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
  return {
    get port() {
      return port;
    },
    get openSockets() {
      return sockets.size;
    },
    get accepted() {
      return accepted;
    },
  };
}
