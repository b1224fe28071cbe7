import type { SqlMigration } from '../src/migrator/SqlMigration.js';

// Released: never edit (see 0001).
export const createTasks: SqlMigration = {
  name: '0002-create-tasks',
  creates: ['tasks'],
  up: (schema) => `
    CREATE TABLE ${schema}.tasks (
      id uuid NOT NULL,
      user_id uuid NOT NULL,
      title varchar(255) NOT NULL,
      description text,
      is_completed boolean NOT NULL DEFAULT false,
      created_at timestamp(3) with time zone NOT NULL DEFAULT now(),
      updated_at timestamp(3) with time zone NOT NULL DEFAULT now(),
      CONSTRAINT tasks_pkey PRIMARY KEY (id),
      CONSTRAINT tasks_user_id_fkey FOREIGN KEY (user_id) REFERENCES ${schema}.users (id) ON UPDATE CASCADE ON DELETE CASCADE,
      -- Not blank either: the models trim, and a title of spaces written by plain SQL would break
      -- the rule "1 to 255 characters after trimming" behind their back.
      CONSTRAINT tasks_title_not_empty_check CHECK (char_length(title) >= 1 AND title ~ '[^[:space:]]'),
      CONSTRAINT tasks_description_length_check CHECK (char_length(description) <= 10000)
    );
    -- "This user's tasks, newest first" with a keyset cursor on (created_at, id). Led by user_id,
    -- it also serves the foreign key's ON DELETE CASCADE.
    CREATE INDEX tasks_user_id_created_at_id_idx ON ${schema}.tasks (user_id, created_at DESC, id DESC);
    -- The same list filtered by completion, without scanning the other half of the user's tasks.
    CREATE INDEX tasks_user_id_is_completed_created_at_id_idx ON ${schema}.tasks (user_id, is_completed, created_at DESC, id DESC);
  `,
  down: (schema) => `DROP TABLE ${schema}.tasks`,
};
