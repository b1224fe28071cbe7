import type pg from 'pg';
import { queryClassOf } from '../connection/pgInternals.js';
import { eventError } from './eventError.js';
import type { QueryEvent } from './LoggingHooks.js';
import { sanitizeSql } from './sanitizeSql.js';

type Callback = (error: Error | null, result: pg.QueryResult | pg.QueryResult[]) => void;

/**
 * `Client` with one {@link QueryEvent} per statement sent through `query()`, or `Client` itself
 * when there is no `onQuery`. Every statement on the handle's connections passes here, whoever
 * sends it — the service layer, Sequelize, the migrator, a transaction's BEGIN and COMMIT — so
 * service calls and model calls give the same event.
 */
export function withQueryEvents(Client: typeof pg.Client, onQuery: ((event: QueryEvent) => void) | undefined): typeof pg.Client {
  if (!onQuery) return Client;
  const emit = (text: string, started: number, error: unknown, result: pg.QueryResult | pg.QueryResult[] | undefined): void => {
    try {
      onQuery(queryEvent(text, performance.now() - started, error, result));
    } catch {
      // A logger that throws must not fail the statement it was told about.
    }
  };
  // `callback`, telling of the statement first.
  const reporting =
    (text: string, started: number, callback: Callback): Callback =>
    (error, result) => {
      emit(text, started, error ?? undefined, error ? undefined : result);
      callback(error, result);
    };
  const Query = queryClassOf(Client);
  return class extends Client {
    override query(...args: unknown[]): never {
      const first = args[0] as string | { text?: unknown; submit?: unknown; callback?: unknown } | undefined;
      const text = typeof first === 'string' ? first : typeof first?.text === 'string' ? first.text : undefined;
      if (text === undefined) return (super.query as (...a: unknown[]) => never)(...args);
      const started = performance.now();
      if (typeof first === 'object' && typeof first.submit === 'function') {
        // The service layer's statements come as pg Query objects with their callback (see
        // runStatement); any other Submittable (a cursor) reports through its own events.
        if (first instanceof Query && typeof first.callback === 'function')
          first.callback = reporting(text, started, first.callback as Callback);
        return (super.query as (...a: unknown[]) => never)(...args);
      }
      const last = args[args.length - 1];
      if (typeof last === 'function') {
        args[args.length - 1] = reporting(text, started, last as Callback);
        return (super.query as (...a: unknown[]) => never)(...args);
      }
      const running = (super.query as (...a: unknown[]) => Promise<pg.QueryResult>)(...args);
      running.then(
        (result) => emit(text, started, undefined, result),
        (error: unknown) => emit(text, started, error, undefined),
      );
      return running as never;
    }
  } as typeof pg.Client;
}

function queryEvent(text: string, durationMs: number, error: unknown, result: pg.QueryResult | pg.QueryResult[] | undefined): QueryEvent {
  const sql = sanitizeSql(text);
  if (error !== undefined) return { sql, durationMs, operation: firstWord(sql), rowCount: null, error: eventError(error) };
  // A text of several statements (the migrator's SET LOCALs) answers with one result each.
  const results = Array.isArray(result) ? result : result ? [result] : [];
  const counts = results.map((each) => each.rowCount).filter((count): count is number => typeof count === 'number');
  return {
    sql,
    durationMs,
    operation: results[0]?.command || firstWord(sql),
    rowCount: counts.length === 0 ? null : counts.reduce((sum, count) => sum + count, 0),
  };
}

function firstWord(sql: string): string {
  return /^\s*(?:\/\*[\s\S]*?\*\/\s*)*([A-Za-z]+)/.exec(sql)?.[1]?.toUpperCase() ?? '';
}
