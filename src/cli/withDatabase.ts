import { createDatabase, TododbError, type Database } from 'tododb';
import type { CommandContext } from './Command.js';

/**
 * Opens the database a command works on (`--url`, else `DATABASE_URL`) and always closes it,
 * whether the work succeeds or throws, so the process can end on its own.
 */
export async function withDatabase<T>(context: CommandContext, work: (db: Database) => Promise<T>): Promise<T> {
  const db = createDatabase(context.url === undefined ? {} : { url: context.url }, context.env);
  try {
    return await work(db);
  } catch (error) {
    // "Unavailable" alone leaves the user guessing which database; the target has no password.
    if (error instanceof TododbError && error.code === 'DATABASE_UNAVAILABLE') {
      throw new TododbError(error.code, `${error.message} (${db.target})`, { cause: error });
    }
    throw error;
  } finally {
    await db.close();
  }
}
