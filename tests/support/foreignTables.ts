// Tables that a service made on its own before it installed tododb, with the names tododb uses:
// what tododb must never take over, alter or drop.
import { sql } from './catalog.js';

/**
 * The service's own `users` in `schema`: a password hash, rows, an index, a foreign key from
 * another of its tables, a CHECK and a UNIQUE constraint and a trigger — everything a careless
 * migration could lose.
 */
export function createForeignUsers(url: string, schema = 'public'): Promise<void> {
  const s = `"${schema}"`;
  return sql(
    url,
    `CREATE TABLE ${s}.users (
       id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
       email text NOT NULL,
       password_hash text NOT NULL,
       signed_up_at timestamptz NOT NULL DEFAULT now(),
       CONSTRAINT users_email_key UNIQUE (email),
       CONSTRAINT users_password_hash_check CHECK (password_hash LIKE '$2b$%')
     );
     CREATE INDEX users_signed_up_at_idx ON ${s}.users (signed_up_at DESC);
     CREATE TABLE ${s}.sessions (id bigint PRIMARY KEY, user_id bigint NOT NULL REFERENCES ${s}.users (id) ON DELETE CASCADE);
     CREATE FUNCTION ${s}.users_touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
     CREATE TRIGGER users_touch BEFORE UPDATE ON ${s}.users FOR EACH ROW EXECUTE FUNCTION ${s}.users_touch();
     INSERT INTO ${s}.users (email, password_hash, signed_up_at) VALUES
       ('ada@example.com', '$2b$12$abcdefghijklmnopqrstuv', '2020-01-01T00:00:00Z'),
       ('grace@example.com', '$2b$12$0123456789abcdefghijkl', '2021-06-15T12:00:00Z');
     INSERT INTO ${s}.sessions VALUES (1, 1), (2, 2);`,
  );
}

/** The service's own `tasks` in `schema` (no `users` of its own), with a row. */
export function createForeignTasks(url: string, schema = 'public'): Promise<void> {
  const s = `"${schema}"`;
  return sql(
    url,
    `CREATE TABLE ${s}.tasks (id serial PRIMARY KEY, label text NOT NULL CHECK (label <> ''), done boolean NOT NULL DEFAULT false);
     CREATE INDEX tasks_done_idx ON ${s}.tasks (done);
     INSERT INTO ${s}.tasks (label) VALUES ('water the plants'), ('file taxes');`,
  );
}
