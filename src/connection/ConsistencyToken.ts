import { ValidationError } from '../errors/errors.js';
import type { Lsn } from './Lsn.js';

// `v1.` and the LSN in 16 hex digits: what a primary's write-ahead log had reached after a
// write. It names no host, user or row; a version prefix leaves room to change the format.
const TOKEN = /^v1\.([0-9a-f]{16})$/;

/** The opaque string of `db.readYourWrites.tokenFor()`. */
export function encodeConsistencyToken(lsn: Lsn): string {
  return `v1.${lsn.toString(16).padStart(16, '0')}`;
}

/**
 * The LSN in a token made by {@link encodeConsistencyToken}. A token that is not one is a
 * `ValidationError` naming `field` (it came from a client, so its value is never printed).
 */
export function decodeConsistencyToken(token: unknown, field = 'token'): Lsn {
  const match = typeof token === 'string' ? TOKEN.exec(token) : null;
  if (!match) throw new ValidationError([{ field, message: 'must be a consistency token returned by db.readYourWrites.tokenFor()' }]);
  return BigInt(`0x${match[1]}`);
}
