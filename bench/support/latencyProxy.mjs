import { connect, createServer } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 that makes a local server look `rttMs` away: every chunk waits half
 * the round trip in each direction, in order, and a new connection costs one round trip before
 * its first bytes arrive (the TCP handshake that a real distant server costs, and that the local
 * handshake with the proxy does not). Resolves once it listens; `close()` ends every connection.
 */
export async function startLatencyProxy({ host, port, rttMs }) {
  const oneWay = rttMs / 2;
  const sockets = new Set();
  const server = createServer((client) => {
    const accepted = performance.now();
    const upstream = connect(port, host);
    for (const socket of [client, upstream]) {
      socket.setNoDelay(true);
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    delayedPipe(client, upstream, oneWay, accepted + rttMs + oneWay);
    delayedPipe(upstream, client, oneWay, 0);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: server.address().port,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

// One queue and one timer per direction, so that chunks (and the end) leave in the order they came.
function delayedPipe(from, to, delayMs, notBefore) {
  const queue = [];
  let _timer;
  const flush = () => {
    _timer = undefined;
    const now = performance.now();
    while (queue.length > 0 && queue[0].due <= now + 0.25) {
      const { chunk } = queue.shift();
      if (chunk === null) to.end();
      else if (!to.destroyed) to.write(chunk);
    }
    if (queue.length > 0) _timer = setTimeout(flush, queue[0].due - now);
  };
  const push = (chunk) => {
    queue.push({ chunk, due: Math.max(performance.now() + delayMs, notBefore) });
    _timer ??= setTimeout(flush, queue[0].due - performance.now());
  };
  from.on('data', push);
  from.on('end', () => push(null));
  from.on('close', () => {
    if (queue.length === 0) to.destroy();
  });
}
