import type pg from 'pg';
import { queryClassOf, textQuery } from './pgInternals.js';
import { RECORD_TYPES, unreadableSession } from './recordTypes.js';
import type { Statement } from './Statement.js';

/**
 * Runs one statement of the service layer on `client` through pg's callback API: one `Query`
 * object, made from the text (see textQuery), and no promise inside pg; its rows are read with
 * {@link RECORD_TYPES}. `prepared` sends it as a named prepared statement (parsed once per connection);
 * never through PgBouncer in transaction mode, where the name can land on another client's
 * backend and return its rows.
 */
export function runStatement<Row extends pg.QueryResultRow>(
  client: pg.ClientBase,
  statement: Statement,
  values: readonly unknown[],
  prepared: boolean,
): Promise<pg.QueryResult<Row>> {
  const refusal = unreadableSession(client);
  if (refusal) return Promise.reject(refusal);
  const Query = queryClassOf(client);
  const name = prepared ? statement.name : undefined;
  // The callback is written in place, not named: the build keeps function names (keepNames), and
  // a named closure costs a defineProperty call on every statement.
  return new Promise((resolve, reject) => {
    client.query(
      textQuery<Row>(Query, statement.text, values as unknown[], name, RECORD_TYPES, (error, result) =>
        error ? reject(error) : resolve(result),
      ),
    );
  });
}

/** Runs a fixed statement with no parameters (BEGIN, COMMIT, …) by the simple protocol. */
export function runCommand(client: pg.ClientBase, text: string): Promise<pg.QueryResult> {
  return new Promise((resolve, reject) => {
    client.query(text, (error: Error | undefined, result: pg.QueryResult) => {
      if (error) reject(error);
      else resolve(result);
    });
  });
}

/** Runs ad-hoc SQL (the migrator's, a migration's) as an unnamed statement, with parameters when given. */
export function runText(client: pg.ClientBase, text: string, values: readonly unknown[] = []): Promise<pg.QueryResult> {
  if (values.length === 0) return runCommand(client, text);
  return new Promise((resolve, reject) => {
    client.query(text, values as unknown[], (error: Error | undefined, result: pg.QueryResult) => {
      if (error) reject(error);
      else resolve(result);
    });
  });
}
