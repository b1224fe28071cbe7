import { randomFillSync } from 'node:crypto';

// Random bytes are drawn in batches: one syscall per 256 ids instead of one per id.
const POOL_SIZE = 16 * 256;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let poolOffset = POOL_SIZE;

let lastMs = 0;
let sequence = 0;

/**
 * Returns a new UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then randomness. Ids made in
 * one process are strictly increasing, also within one millisecond (a 12-bit counter in
 * `rand_a`, method 1 of RFC 9562 §6.2), so B-tree inserts stay at the right edge and "newest
 * first" follows the id.
 */
export function uuidv7(): string {
  if (poolOffset >= POOL_SIZE) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const bytes = pool.subarray(poolOffset, poolOffset + 16);
  poolOffset += 16;

  let ms = Date.now();
  if (ms > lastMs) {
    lastMs = ms;
    sequence = bytes[6]! & 0x07; // start low in the 12-bit space, leaving room to count up
  } else {
    ms = lastMs;
    sequence += 1;
    if (sequence > 0xfff) {
      // Counter exhausted within one millisecond: borrow the next millisecond.
      lastMs += 1;
      ms = lastMs;
      sequence = 0;
    }
  }

  const out = Buffer.allocUnsafe(16);
  out.writeUIntBE(ms, 0, 6);
  out[6] = 0x70 | (sequence >> 8);
  out[7] = sequence & 0xff;
  out[8] = 0x80 | (bytes[8]! & 0x3f);
  bytes.copy(out, 9, 9, 16);
  const hex = out.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const UUID_SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** True for a string in the canonical 8-4-4-4-12 hex form (any version). */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID_SHAPE.test(value);
}
