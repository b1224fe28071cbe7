import type { OptionSpec } from './Command.js';

/** Options every command takes. */
export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  url: { type: 'string', valueName: 'URL', description: 'Database URL; overrides MIGRATION_DATABASE_URL and DATABASE_URL' },
  'env-file': {
    type: 'string',
    multiple: true,
    valueName: 'PATH',
    description: 'Load this file instead of the default .env files (repeatable; later files win)',
  },
  verbose: { type: 'boolean', description: 'Show stack traces on errors' },
  help: { type: 'boolean', short: 'h', description: 'Show help' },
  version: { type: 'boolean', description: 'Print the version of tododb' },
};

/** The global options a command run needs, read and checked. */
export interface GlobalValues {
  url: string | undefined;
  /** `--env-file` paths in the order given; `undefined` when none was, so the defaults apply. */
  envFiles: string[] | undefined;
  verbose: boolean;
}

/** Reads the global options from `util.parseArgs` values. */
export function readGlobalOptions(values: Record<string, string | boolean | string[] | undefined>): GlobalValues {
  return {
    url: values.url as string | undefined,
    envFiles: values['env-file'] as string[] | undefined,
    verbose: values.verbose === true,
  };
}
