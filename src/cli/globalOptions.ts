import type { OptionSpec } from './Command.js';

/** Options every command takes. */
export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  url: { type: 'string', valueName: 'URL', description: 'Database URL; overrides DATABASE_URL (also read from ./.env)' },
  verbose: { type: 'boolean', description: 'Show stack traces on errors' },
  help: { type: 'boolean', short: 'h', description: 'Show help' },
  version: { type: 'boolean', description: 'Print the version of tododb' },
};
