import { createHash } from 'node:crypto';
import type { MigrationDefinition } from 'tododb';

/** Every database the kit makes starts with this, so they are easy to recognise and clean up. */
export const DATABASE_PREFIX = 'tododb_test_';

/** Prefix of the migrated templates; a test database's name never starts with it. */
export const TEMPLATE_PREFIX = `${DATABASE_PREFIX}tpl_`;

// Bumped when the way a template is built changes, so that old templates are not reused.
const TEMPLATE_FORMAT = 1;

/** What a template holds; two templates with the same inputs are interchangeable. */
export interface TemplateInputs {
  /** Every migration the migrator would apply to an empty database, in order. */
  migrationNames: readonly string[];
  /** The application's own migrations, whose code is part of the template's identity. */
  userMigrations: readonly MigrationDefinition[];
  /** The `schema` option, when given. */
  schema: string | undefined;
  /** The `templateKey` option, when given. */
  templateKey: string | undefined;
}

/** A template's database name and the advisory lock key its builders serialise on. */
export interface TemplateIdentity {
  name: string;
  /** A signed 64-bit integer, as text, for `pg_advisory_lock(bigint)`. */
  lockKey: string;
}

/**
 * Names a template after a hash of what it contains, so that every process that would build
 * the same template agrees on its name without talking to the others, and a template whose
 * migrations changed (a new one, or an edited body of the application's) gets a new name
 * instead of being reused stale. The name is hex only: nothing from the input reaches SQL.
 */
export function templateIdentity(inputs: TemplateInputs): TemplateIdentity {
  const hash = createHash('sha256')
    .update(
      JSON.stringify({
        format: TEMPLATE_FORMAT,
        names: inputs.migrationNames,
        // A function's source text: editing a migration's body during development is a new template.
        userMigrations: inputs.userMigrations.map((migration) => [migration.name, String(migration.up), String(migration.down)]),
        schema: inputs.schema ?? null,
        templateKey: inputs.templateKey ?? null,
      }),
    )
    .digest('hex');
  return {
    // 16 + 24 characters: well under PostgreSQL's 63, and 96 bits leave no room for collisions.
    name: `${TEMPLATE_PREFIX}${hash.slice(0, 24)}`,
    lockKey: BigInt.asIntN(64, BigInt(`0x${hash.slice(24, 40)}`)).toString(),
  };
}
