/**
 * A PostgreSQL write-ahead-log position (`pg_lsn`, written `16/B374D848`) as a bigint, so that
 * two positions compare with `<`. Every committed change of a primary lies at or before the LSN
 * `pg_current_wal_lsn()` returns after it; a standby shows it once `pg_last_wal_replay_lsn()`
 * has reached that LSN.
 */
export type Lsn = bigint;

const LSN_TEXT = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/;

/** Parses `pg_lsn` text; undefined for NULL (a server that is not replaying) or anything else. */
export function parseLsn(text: unknown): Lsn | undefined {
  if (typeof text !== 'string') return undefined;
  const match = LSN_TEXT.exec(text);
  if (!match) return undefined;
  return (BigInt(`0x${match[1]}`) << 32n) | BigInt(`0x${match[2]}`);
}

/** The `pg_lsn` text of `lsn`, as PostgreSQL prints it. */
export function formatLsn(lsn: Lsn): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`;
}
