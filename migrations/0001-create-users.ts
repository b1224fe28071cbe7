import type { SqlMigration } from '../src/migrator/SqlMigration.js';

// Released: never edit. Its text is checksummed, and every value in it is a literal on purpose —
// a limit changed in src/ must not change what an old migration creates.
//
// Timestamps are timestamptz(3): rows made by the models carry milliseconds (a JS Date), rows
// made by now() would carry microseconds, and a keyset cursor built from a JS Date would then skip
// or repeat rows. Millisecond columns keep both the same.
export const createUsers: SqlMigration = {
  name: '0001-create-users',
  creates: ['users'],
  // A plain CREATE TABLE: on a schema that already has a `users` table it fails instead of taking it over.
  up: (schema) => `
    CREATE TABLE ${schema}.users (
      id uuid NOT NULL,
      email text NOT NULL,
      name text,
      created_at timestamp(3) with time zone NOT NULL DEFAULT now(),
      updated_at timestamp(3) with time zone NOT NULL DEFAULT now(),
      CONSTRAINT users_pkey PRIMARY KEY (id),
      -- The database is the last wall: an email written by plain SQL must be normalised too.
      CONSTRAINT users_email_normalized_check CHECK (email = lower(btrim(email)) AND char_length(email) BETWEEN 1 AND 254)
    );
    -- Unique regardless of case, and the index that serves lookups by email.
    CREATE UNIQUE INDEX users_email_lower_key ON ${schema}.users (lower(email));
  `,
  down: (schema) => `DROP TABLE ${schema}.users`,
};
