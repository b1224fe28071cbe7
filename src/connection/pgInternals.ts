import type pg from 'pg';

// The one place that reaches into pg's undocumented members. `tests/internals.test.ts` checks
// each of them on the installed version, so an upgrade that removes one fails loudly, by name.

interface ClientInternals {
  connection?: {
    stream?: { destroy(): void };
    on?(event: 'parameterStatus', listener: (message: { parameterName: string; parameterValue: string }) => void): void;
  };
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

/**
 * Calls `onValue` with each value the server reports for its setting `name` on `client`'s
 * connection (ParameterStatus: at start-up, and after each change), which pg reads but does not keep.
 */
export function onServerSetting(client: pg.ClientBase, name: string, onValue: (value: string) => void): void {
  (client as unknown as ClientInternals).connection?.on?.('parameterStatus', (message) => {
    if (message.parameterName === name) onValue(message.parameterValue);
  });
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

/** pg's `Query` class, as the driver's `Client` class carries it (`Client.Query`, on pg's and on Neon's). */
export type QueryClass = new (
  text: string,
  values: unknown[],
  callback: (error: Error | undefined, result: never) => void,
) => pg.Submittable & { name?: string; callback?: unknown; _result?: { _types?: unknown } };

/** The `Query` class of a driver's `Client` class, or of the client's class. */
export function queryClassOf(client: pg.ClientBase | typeof pg.Client): QueryClass {
  const owner = typeof client === 'function' ? client : client.constructor;
  const Query = (owner as { Query?: unknown }).Query;
  if (typeof Query !== 'function') throw new Error("The database driver's Client has no Query class: update src/connection/pgInternals.ts");
  return Query as QueryClass;
}

/**
 * A pg Query made from the text, with the statement name and the type parsers set after, where
 * pg reads them. Given a config object (`{ name, text, values, types }`) pg copies it, property by
 * property, into a new object first: measured, ~10 µs more CPU per get call than the text form
 * that raw pg's `pool.query(text, values)` takes.
 */
export function textQuery<Row extends pg.QueryResultRow>(
  Query: QueryClass,
  text: string,
  values: unknown[],
  name: string | undefined,
  types: pg.CustomTypesConfig,
  callback: (error: Error | undefined, result: pg.QueryResult<Row>) => void,
): pg.Submittable {
  const query = new Query(text, values, callback as (error: Error | undefined, result: never) => void);
  if (name !== undefined) query.name = name;
  query._result!._types = types;
  return query;
}

/** The members above, by name, for the test that guards them. */
export const PG_INTERNALS = ['connection.stream', 'connection.on', 'getStartupConf', '_queryable', '_activeQuery'] as const;
/** What {@link textQuery} relies on: the Query class on the Client class, and the members it sets on a Query. */
export const PG_QUERY_INTERNALS = ['Client.Query', 'name', '_result._types'] as const;
