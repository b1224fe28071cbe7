import type pg from 'pg';

// The one place that reaches into pg's undocumented members. `tests/internals.test.ts` checks
// each of them on the installed version, so an upgrade that removes one fails loudly, by name.

interface ClientInternals {
  connection?: { stream?: { destroy(): void } };
  _queryable?: boolean;
  _activeQuery?: unknown;
}

/** Closes a client's socket at once: for a server that will not answer a Terminate. */
export function destroySocket(client: pg.ClientBase): void {
  (client as unknown as ClientInternals).connection?.stream?.destroy();
}

/**
 * Makes pg and pg-pool treat the client as broken from now on: released, it is closed instead of
 * going back to the pool. A destroyed socket says so only when its close event arrives, a loop
 * turn later, and by then the client may already have been given to the next caller.
 */
export function markBroken(client: pg.ClientBase): void {
  (client as unknown as ClientInternals)._queryable = false;
}

/** Whether pg still considers the client usable. */
export function isQueryable(client: pg.ClientBase): boolean {
  return (client as unknown as ClientInternals)._queryable !== false;
}

/** The query pg is waiting on the server for on `client` (null or undefined when none). */
export function activeQueryOf(client: pg.ClientBase): unknown {
  const internals = client as unknown as ClientInternals;
  if ('_activeQuery' in internals) return internals._activeQuery ?? undefined;
  // Neon's driver carries an older pg Client, whose field has no underscore. Read as an own
  // field: on pg 8.23 `activeQuery` is a deprecated getter that prints a warning.
  return Object.getOwnPropertyDescriptor(internals, 'activeQuery')?.value ?? undefined;
}

/** The members above, by name, for the test that guards them. */
export const PG_INTERNALS = ['connection.stream', '_queryable', '_activeQuery'] as const;
