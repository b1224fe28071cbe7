import { ConfigError, createDatabase, DatabaseUnavailableError, type Database, type DatabaseConfig } from 'tododb';
import { chooseDatabaseUrl } from './chooseDatabaseUrl.js';
import type { CommandContext } from './Command.js';

/**
 * Opens the database a command works on (see {@link chooseDatabaseUrl}), with `--timeout` as
 * its connect timeout, and always closes it, whether the work succeeds or throws, so the
 * process can end on its own.
 */
export async function withDatabase<T>(context: CommandContext, work: (db: Database) => Promise<T>): Promise<T> {
  const { url, source } = chooseDatabaseUrl(context);
  const config: DatabaseConfig = {
    url,
    ...(context.timeoutMs === undefined ? {} : { connectTimeoutMs: context.timeoutMs }),
    ...(context.schema === undefined ? {} : { schema: context.schema }),
  };
  let db: Database;
  try {
    db = createDatabase(config, context.env);
  } catch (error) {
    throw namedAfterSource(error, source);
  }
  try {
    return await work(db);
  } catch (error) {
    // "Unavailable" alone leaves the user guessing which database; the target has no password.
    if (error instanceof DatabaseUnavailableError) {
      throw new DatabaseUnavailableError(`${error.message} (${db.target})`, { cause: error });
    }
    throw error;
  } finally {
    await db.close();
  }
}

/**
 * The library names a bad URL by its option, `url`; on the command line the user wrote
 * `--url` or set a variable, so the message names that instead. The value is never in it.
 */
function namedAfterSource(error: unknown, source: string): unknown {
  if (!(error instanceof ConfigError) || error.field !== 'url') return error;
  return new ConfigError(source, error.message.replaceAll('`url`', `\`${source}\``));
}
