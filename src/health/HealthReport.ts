/** What `checkHealth()` resolves with. It never contains a password, URL, user or host name. */
export interface HealthReport {
  /** `ok` when the probe query answered within the timeout, `error` otherwise (see `reason`). */
  status: 'ok' | 'error';
  /** The probe's round trip in ms; on error, the time until it failed. */
  latencyMs: number;
  /** ISO 8601. */
  checkedAt: string;
  /** Why the status is `error`, in a few words. */
  reason?: string;
  /** `server_version` of the database, e.g. `15.4`. */
  serverVersion?: string;
  /** The pool of this process: connections in use, idle, callers waiting, and the maximum. */
  pool: {
    /** The most connections the pool opens (`pool.max`). */
    max: number;
    /** Connections checked out. */
    inUse: number;
    /** Connections open and free. */
    idle: number;
    /** Callers waiting for a connection. */
    waiting: number;
  };
  /** Applied and pending migrations of this version of tododb, when they could be read. */
  migrations?: {
    /** tododb's migrations recorded as applied. */
    applied: number;
    /** tododb's migrations not applied yet: `npx tododb migrate up` applies them. */
    pending: number;
  };
  /**
   * With `replicaUrls`: each replica, in the order given (never by host). A replica in error
   * does not make `status` `error`: reads go to the primary meanwhile.
   */
  replicas?: ReplicaHealth[];
}

/** One read replica in a {@link HealthReport}. */
export interface ReplicaHealth {
  /** `ok` when the replica answered within the timeout. */
  status: 'ok' | 'error';
  /** How far its data is behind the primary's, in ms: 0 when it has replayed all it received. */
  lagMs?: number;
  /** Why the status is `error`, in a few words. */
  reason?: string;
}

/** What `checkHealth()` accepts. */
export interface CheckHealthOptions {
  /** Upper bound for the whole check, in ms. Default 2000. */
  timeoutMs?: number;
}
