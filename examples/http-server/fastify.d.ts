// What the database plugin adds to a Fastify instance, for type-checking the routes (the
// example's files are JavaScript checked by TypeScript, which reads this declaration).
import type { Database } from 'tododb';
import type { BackgroundMigrations } from './migrateInBackground.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The app's tododb database, made and closed by `databasePlugin`. */
    db: Database;
    /** The migrations that `databasePlugin` applies in the background; the API answers 503 until `ready`. */
    migrations: BackgroundMigrations;
  }
}
