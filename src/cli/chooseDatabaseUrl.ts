import { ConfigError } from 'tododb';
import type { CommandContext } from './Command.js';
import { describeEnvFiles } from './loadEnv.js';

/** A database URL and where it came from: `--url` or the name of the variable. */
export interface ChosenUrl {
  url: string;
  source: string;
}

/**
 * The variables a command takes its URL from, first match wins. Migrations may need another
 * URL than the application: on Neon the application uses the pooled (`-pooler`) URL in
 * `DATABASE_URL`, and migrations the direct one in `MIGRATION_DATABASE_URL`. With row-level
 * security they are two roles too, and `roles grant` must run as the owner, the migrations' role.
 */
export function urlVariables(command: CommandContext['command']): string[] {
  return OWNER_COMMANDS.has(command.path[0]!) ? ['MIGRATION_DATABASE_URL', 'DATABASE_URL'] : ['DATABASE_URL'];
}

const OWNER_COMMANDS = new Set(['migrate', 'roles']);

/**
 * Picks the database URL of a command run: `--url`, else the first of {@link urlVariables}
 * that is set (in the environment or a `.env` file). Throws a `ConfigError` that says where
 * it looked when there is none.
 */
export function chooseDatabaseUrl(context: CommandContext): ChosenUrl {
  if (context.url !== undefined) return { url: context.url, source: '--url' };
  const variables = urlVariables(context.command);
  for (const name of variables) {
    const value = context.env[name];
    if (value !== undefined && value.trim() !== '') return { url: value, source: name };
  }
  throw new ConfigError(
    '--url',
    `No database URL: pass --url, or set ${variables.join(' or ')} in the environment or a .env file (${describeEnvFiles(context.envFiles)})`,
  );
}
