/** The part of the driver's socket that pg writes to: `write(data, encoding?, callback?)`. */
export interface WritableSocket {
  write(data: Uint8Array | string, encoding?: BufferEncoding | (() => void), callback?: () => void): boolean;
}

/**
 * Makes `socket` send what is written to it in one turn of the microtask queue as one write: a
 * statement's Parse, Bind, Describe, Execute and Sync leave as one WebSocket message, with no
 * delay. (The driver's own `coalesceWrites` does the same a timer tick later, about 1.5 ms per
 * statement; without either, each message is a frame and a proxy write of its own.) Callbacks run
 * after the write, in order, so that an `end()` closes the WebSocket after what it follows.
 */
export function coalesceWithinTick(socket: WritableSocket): void {
  const write = socket.write.bind(socket);
  let chunks: Uint8Array[] | undefined;
  let callbacks: (() => void)[] = [];
  const flush = () => {
    const data = chunks!.length === 1 ? chunks![0]! : Buffer.concat(chunks!);
    const done = callbacks;
    chunks = undefined;
    callbacks = [];
    write(data);
    for (const callback of done) callback();
  };
  socket.write = (data, encoding, callback) => {
    const chunk = typeof data === 'string' ? Buffer.from(data, typeof encoding === 'string' ? encoding : 'utf8') : data;
    const done = typeof encoding === 'function' ? encoding : callback;
    if (!chunks) {
      chunks = [];
      queueMicrotask(flush);
    }
    chunks.push(chunk);
    if (done) callbacks.push(done);
    return true;
  };
}
