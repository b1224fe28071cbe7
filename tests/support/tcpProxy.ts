import { connect, createServer, type Socket } from 'node:net';

/** A TCP proxy on loopback; `close()` drops every connection through it. */
export interface TcpProxy {
  /** Black-holes every open connection: nothing more is read or forwarded, either way. */
  freeze(): void;
  close(): Promise<void>;
}

/**
 * Forwards connections on 127.0.0.1:`port` to `target`. Before it is started nothing listens on
 * the port, so a client sees exactly what it sees while a database is down: ECONNREFUSED. Starting
 * it is the database coming back, at a moment the test knows.
 */
export async function startTcpProxy(port: number, target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  const server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    track(client);
    track(upstream);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    freeze() {
      for (const socket of sockets) {
        socket.unpipe();
        socket.pause();
      }
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
