// @ts-check
// Plain JavaScript, so that the soak (`npm run soak`, plain Node on dist/) and the tests share it.
import { connect, createServer } from 'node:net';

/**
 * @typedef {{ kind: 'none' }
 *   | { kind: 'blackHole' }
 *   | { kind: 'latency', ms: number }
 *   | { kind: 'slowAccept', ms: number }} Fault
 */

/**
 * @typedef {object} FaultProxy
 * @property {number} port  The port it listens on, on 127.0.0.1.
 * @property {() => Fault} fault  The fault in force now.
 * @property {() => void} heal  Forwards everything again; connections a black hole corrupted are reset.
 * @property {() => void} blackHole  Accepts connections and drops every byte, both ways, on old and new ones.
 * @property {(ms: number) => void} addLatency  Delivers every byte `ms` later, each way.
 * @property {(ms: number) => void} delayAccept  Holds each new connection `ms` before it reaches the database.
 * @property {() => number} openConnections  Client connections open through it now.
 * @property {() => Promise<void>} close  Stops listening and destroys every connection and timer.
 */

/**
 * A TCP proxy on 127.0.0.1 in front of a database, whose faults its owner switches at will: the
 * network failures a service meets in production, at a moment the soak (or a test) chooses.
 *
 * - black hole: a path that swallows packets. Connections are still accepted (the SYN is
 *   answered by the proxy) but nothing arrives anywhere. Bytes dropped from a connection cannot
 *   be replayed, so at `heal()` such a connection is reset, as a middlebox that lost its state
 *   does; a connection that sent nothing during the hole lives on.
 * - latency: each byte is delivered `ms` later, in order, both ways.
 * - slow accept: a new connection waits `ms` before the proxy opens its side to the database
 *   (a cold start, a saturated listener); connections already open are not slowed.
 *
 * @param {{ target: { host: string, port: number }, port?: number }} options
 * @returns {Promise<FaultProxy>}
 */
export async function startFaultProxy({ target, port = 0 }) {
  /** @type {Fault} */
  let fault = { kind: 'none' };
  /** @type {Set<Link>} */
  const links = new Set();

  const server = createServer((client) => {
    const link = new Link(client, fault);
    links.add(link);
    client.on('close', () => links.delete(link));
    if (fault.kind === 'blackHole') {
      link.corrupted = true; // accepted, and never forwarded: reset at heal()
      return;
    }
    if (fault.kind === 'slowAccept') {
      link.timer = setTimeout(() => link.open(target), fault.ms);
      return;
    }
    link.open(target);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(undefined));
  });
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('the fault proxy has no address');

  /** @param {Fault} next */
  const set = (next) => {
    fault = next;
    for (const link of links) link.fault = next;
  };
  return {
    port: address.port,
    fault: () => fault,
    heal() {
      set({ kind: 'none' });
      for (const link of links) {
        if (link.corrupted) link.reset();
      }
    },
    blackHole: () => set({ kind: 'blackHole' }),
    addLatency: (ms) => set({ kind: 'latency', ms }),
    delayAccept: (ms) => set({ kind: 'slowAccept', ms }),
    openConnections: () => links.size,
    async close() {
      for (const link of links) link.reset();
      await new Promise((resolve) => server.close(() => resolve(undefined)));
    },
  };
}

/** One client connection through the proxy and, once opened, its connection to the database. */
class Link {
  /**
   * @param {import('node:net').Socket} client
   * @param {Fault} fault
   */
  constructor(client, fault) {
    this.client = client;
    this.fault = fault;
    /** @type {import('node:net').Socket | undefined} */
    this.upstream = undefined;
    /** @type {NodeJS.Timeout | undefined} */
    this.timer = undefined;
    /** Whether a black hole dropped any of its bytes: it can never be in step again. */
    this.corrupted = false;
    // Bytes sent before the database side is open (slow accept) wait here, in order.
    /** @type {Buffer[]} */
    this.early = [];
    this.toServer = new Delivery();
    this.toClient = new Delivery();
    client.on('data', (chunk) => this.forward(chunk, this.toServer, () => this.upstream));
    client.on('end', () => this.toServer.push(this.fault, null, () => this.upstream));
    client.on('error', () => this.reset());
    client.on('close', () => this.reset());
  }

  /** @param {{ host: string, port: number }} target */
  open(target) {
    this.timer = undefined;
    if (this.client.destroyed) return;
    const upstream = connect(target.port, target.host);
    this.upstream = upstream;
    upstream.on('data', (chunk) => this.forward(chunk, this.toClient, () => this.client));
    upstream.on('end', () => this.toClient.push(this.fault, null, () => this.client));
    // The database refused or dropped us (it is down or restarting): so does the proxy.
    upstream.on('error', () => this.reset());
    upstream.on('close', () => this.toClient.push(this.fault, null, () => this.client));
    for (const chunk of this.early.splice(0)) this.toServer.push(this.fault, chunk, () => upstream);
  }

  /**
   * @param {Buffer} chunk
   * @param {Delivery} delivery
   * @param {() => import('node:net').Socket | undefined} destination
   */
  forward(chunk, delivery, destination) {
    if (this.fault.kind === 'blackHole') {
      this.corrupted = true;
      return;
    }
    if (delivery === this.toServer && !this.upstream) {
      this.early.push(chunk);
      return;
    }
    delivery.push(this.fault, chunk, destination);
  }

  /** Closes both sides at once, with a reset where Node can send one. */
  reset() {
    clearTimeout(this.timer);
    this.toServer.cancel();
    this.toClient.cancel();
    for (const socket of [this.client, this.upstream]) {
      if (!socket || socket.destroyed) continue;
      if (typeof socket.resetAndDestroy === 'function' && socket.readyState === 'open') socket.resetAndDestroy();
      else socket.destroy();
    }
  }
}

/**
 * One direction of a link: delivers chunks (and the end of the stream, `null`) in the order they
 * came, each no earlier than its fault's latency allows. Without latency it writes at once.
 */
class Delivery {
  constructor() {
    /** @type {{ due: number, chunk: Buffer | null, destination: () => import('node:net').Socket | undefined }[]} */
    this.queue = [];
    /** @type {NodeJS.Timeout | undefined} */
    this.timer = undefined;
  }

  /**
   * @param {Fault} fault
   * @param {Buffer | null} chunk
   * @param {() => import('node:net').Socket | undefined} destination
   */
  push(fault, chunk, destination) {
    const delay = fault.kind === 'latency' ? fault.ms : 0;
    if (delay === 0 && this.queue.length === 0) {
      write(destination(), chunk);
      return;
    }
    this.queue.push({ due: performance.now() + delay, chunk, destination });
    this.arm();
  }

  arm() {
    if (this.timer || this.queue.length === 0) return;
    const wait = Math.max(0, /** @type {{ due: number }} */ (this.queue[0]).due - performance.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const now = performance.now();
      while (this.queue.length > 0 && /** @type {{ due: number }} */ (this.queue[0]).due <= now) {
        const item = /** @type {{ chunk: Buffer | null, destination: () => import('node:net').Socket | undefined }} */ (this.queue.shift());
        write(item.destination(), item.chunk);
      }
      this.arm();
    }, wait);
  }

  cancel() {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.queue.length = 0;
  }
}

/**
 * @param {import('node:net').Socket | undefined} socket
 * @param {Buffer | null} chunk  null: the other side ended its stream
 */
function write(socket, chunk) {
  if (!socket || socket.destroyed) return;
  if (chunk === null) socket.end();
  else socket.write(chunk);
}
