import type { SqlMigration } from '../src/migrator/SqlMigration.js';

// Released: never edit (see 0001).
//
// The second wall between users: an application role that does not own the tables sees and
// writes only the tasks of the acting user, which tododb's service layer sets for each
// transaction with `rowLevelSecurity: true` (set_config('app.user_id', …, true)). Without an
// acting user such a role sees no task at all. The owner (the role that ran the migrations) and
// superusers bypass row-level security, so this changes nothing for them.
//
// NULLIF: a pooled connection on which a transaction once set app.user_id answers '' (not NULL)
// afterwards, and ''::uuid would fail every query instead of matching no row.
export const tasksRowLevelSecurity: SqlMigration = {
  name: '0003-tasks-row-level-security',
  creates: [],
  up: (schema) => `
    ALTER TABLE ${schema}.tasks ENABLE ROW LEVEL SECURITY;
    CREATE POLICY tasks_acting_user ON ${schema}.tasks
      USING (user_id = NULLIF(current_setting('app.user_id', true), '')::uuid)
      WITH CHECK (user_id = NULLIF(current_setting('app.user_id', true), '')::uuid);
  `,
  down: (schema) => `
    DROP POLICY tasks_acting_user ON ${schema}.tasks;
    ALTER TABLE ${schema}.tasks DISABLE ROW LEVEL SECURITY;
  `,
};
