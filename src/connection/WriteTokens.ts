import type { Lsn } from './Lsn.js';

/** A token no replica can pass: a write whose position could not be read is served from the primary. */
export const PRIMARY_ONLY: Lsn = (1n << 64n) - 1n;

/**
 * Per-user read-your-writes tokens: for each user who wrote recently, the primary's WAL position
 * after that write committed. A read for that user may go to a replica only once the replica has
 * replayed it.
 *
 * Bounded (least recently written first out), so memory does not grow with the number of users.
 * A token pushed out is not forgotten: it raises a floor that every read without a token of its
 * own must meet, so an evicted user still reads their write (at the price of a replica check,
 * once per connection, for other users).
 */
export class WriteTokens {
  private readonly tokens = new Map<string, Lsn>();
  private floorLsn: Lsn = 0n;

  constructor(private readonly capacity: number) {}

  /**
   * Records that `user`'s writes are visible at `lsn` or later. The newer of two tokens wins (two
   * concurrent writes may report in either order), except that a real position replaces
   * {@link PRIMARY_ONLY}: it was taken after the write whose position was unknown.
   */
  record(user: string, lsn: Lsn): void {
    const previous = this.tokens.get(user);
    this.tokens.delete(user);
    this.tokens.set(user, previous !== undefined && previous !== PRIMARY_ONLY && previous > lsn ? previous : lsn);
    while (this.tokens.size > this.capacity) {
      const [oldest, token] = this.tokens.entries().next().value as [string, Lsn];
      this.tokens.delete(oldest);
      // PRIMARY_ONLY as a floor would send every read to the primary for good: that one is dropped.
      if (token !== PRIMARY_ONLY && token > this.floorLsn) this.floorLsn = token;
    }
  }

  /** What a server must have replayed for a read of `user` to see every write this process knows of. */
  required(user: string): Lsn {
    const token = this.tokens.get(user);
    return token !== undefined && token > this.floorLsn ? token : this.floorLsn;
  }

  /** The token to hand to another process for `user`: undefined when there is nothing to wait for, or the position is unknown. */
  tokenOf(user: string): Lsn | undefined {
    const required = this.required(user);
    return required === 0n || required === PRIMARY_ONLY ? undefined : required;
  }

  get size(): number {
    return this.tokens.size;
  }
}
