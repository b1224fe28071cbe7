/** Where a replica's circuit breaker stands: `closed` lets reads through, `open` sends them to the primary, `half-open` lets one probe through. */
export type BreakerState = 'closed' | 'open' | 'half-open';

/** Back-off after a failure: the first, and the most it grows to when probes keep failing. */
export interface BreakerTiming {
  initialBackoffMs: number;
  maxBackoffMs: number;
  now?: () => number;
}

/**
 * A circuit breaker for one replica. A stopped replica fails fast, but a frozen one (a
 * black-holed host) makes each caller wait out the connect timeout: after the first failure the
 * breaker opens and callers go to the primary at once; after a back-off, one caller probes the
 * replica again (half-open) while the others still skip it, and the back-off doubles while
 * probes fail.
 *
 * It starts half-open: until the replica has answered once, only one caller tries it, so a
 * replica that is unreachable from the start costs one connect timeout, not one per caller.
 */
export class CircuitBreaker {
  private openedAt = Number.NEGATIVE_INFINITY;
  private backoffMs = 0;
  private probing = false;
  private proven = false;
  private readonly now: () => number;

  constructor(private readonly timing: BreakerTiming) {
    this.now = timing.now ?? (() => performance.now());
  }

  get state(): BreakerState {
    if (this.proven && this.backoffMs === 0) return 'closed';
    return this.now() - this.openedAt >= this.backoffMs ? 'half-open' : 'open';
  }

  /** Whether a call may go through now; when it is the half-open probe, it is claimed. End it with {@link succeeded} or {@link failed}. */
  tryPass(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open' || this.probing) return false;
    this.probing = true;
    return true;
  }

  /** The replica answered: close. */
  succeeded(): void {
    this.probing = false;
    this.proven = true;
    this.backoffMs = 0;
  }

  /** The replica could not be reached or did not answer in time: open, for longer each time a probe fails. */
  failed(): void {
    const wasProbing = this.probing;
    this.probing = false;
    this.openedAt = this.now();
    this.backoffMs =
      this.backoffMs === 0
        ? this.timing.initialBackoffMs
        : wasProbing
          ? Math.min(this.backoffMs * 2, this.timing.maxBackoffMs)
          : this.backoffMs;
  }
}
