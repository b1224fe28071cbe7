import type { OptionSpec } from './Command.js';
import { UsageError } from './UsageError.js';

/** Options every command takes. */
export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  url: { type: 'string', valueName: 'URL', description: 'Database URL; overrides MIGRATION_DATABASE_URL and DATABASE_URL' },
  'env-file': {
    type: 'string',
    multiple: true,
    valueName: 'PATH',
    description: 'Load this file instead of the default .env files (repeatable; later files win)',
  },
  timeout: {
    type: 'string',
    valueName: 'MS',
    description: 'Give up connecting after MS milliseconds (default: DATABASE_CONNECT_TIMEOUT_MS, else 10000; health: 2000)',
  },
  schema: {
    type: 'string',
    valueName: 'NAME',
    description: "PostgreSQL schema of tododb's tables; overrides DATABASE_SCHEMA (default public)",
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
  timeoutMs: number | undefined;
  schema: string | undefined;
  verbose: boolean;
}

// A Node timer fires at once above 2^31 - 1 ms, which would turn "wait long" into "do not wait".
const MAX_TIMEOUT_MS = 2_147_483_647;

/** Reads the global options from `util.parseArgs` values; throws a {@link UsageError} for a bad `--timeout`. */
export function readGlobalOptions(values: Record<string, string | boolean | string[] | undefined>, usage: string): GlobalValues {
  const timeoutText = values.timeout as string | undefined;
  let timeoutMs: number | undefined;
  if (timeoutText !== undefined) {
    timeoutMs = /^\d+$/.test(timeoutText) ? Number(timeoutText) : Number.NaN;
    if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > MAX_TIMEOUT_MS) {
      throw new UsageError(`Expected --timeout to be a whole number of milliseconds from 1 to ${MAX_TIMEOUT_MS}`, usage);
    }
  }
  return {
    url: values.url as string | undefined,
    envFiles: values['env-file'] as string[] | undefined,
    timeoutMs,
    schema: values.schema as string | undefined,
    verbose: values.verbose === true,
  };
}
