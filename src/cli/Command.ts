import type { Env } from 'tododb';
import type { CliIo } from './CliIo.js';
import type { EnvFiles } from './loadEnv.js';

/** One option of a command, as `util.parseArgs` takes it, plus what help prints. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** May be given more than once; its value is then the list, in the order given. */
  multiple?: boolean;
  /** Shown after the flag in help, e.g. `NAME`; string options only. */
  valueName?: string;
  description: string;
}

/** What a command receives: parsed options, the environment with the `.env` files merged in, and the io. */
export interface CommandContext {
  io: CliIo;
  /** The command being run; `withDatabase` reads its path to pick the URL variable. */
  command: Command;
  /** The environment, with the `.env` files merged under it. */
  env: Env;
  /** Which `.env` files were looked for and which were read, for messages. */
  envFiles: EnvFiles;
  /** The command's positional argument (see {@link Command.argument}), when it takes one. */
  argument: string | undefined;
  /** `--schema`, when given: the PostgreSQL schema of tododb's tables. */
  schema: string | undefined;
  /** The command's own options, as parsed. */
  options: Record<string, string | boolean | undefined>;
  /** `--url`, when given: it overrides `MIGRATION_DATABASE_URL` and `DATABASE_URL`. */
  url: string | undefined;
  /** `--timeout`, when given: the bound on connecting, in ms. */
  timeoutMs: number | undefined;
}

/** A CLI command: the words that select it, its help and its options, and what it does. */
export interface Command {
  /** The words that select it, e.g. `['migrate', 'up']`. */
  path: readonly string[];
  /** One line for the command list. */
  summary: string;
  options: Record<string, OptionSpec>;
  /** A positional argument the command requires after its words, e.g. `NAME` of `migrate create`. */
  argument?: { name: string; description: string };
  /** Resolves with the exit code; throws on failure (see reportError). */
  run(context: CommandContext): Promise<number>;
}
