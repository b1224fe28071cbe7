import { parseArgs } from 'node:util';
import type { Command, OptionSpec } from './Command.js';
import { GLOBAL_OPTIONS, readGlobalOptions, type GlobalValues } from './globalOptions.js';
import { commandsUnder, usageLine, type HelpTopic } from './help.js';
import { UsageError } from './UsageError.js';

/** What the command line asks for. */
export type CommandLine =
  | { kind: 'version' }
  | { kind: 'help'; topic: HelpTopic }
  | {
      kind: 'command';
      command: Command;
      argument: string | undefined;
      options: Record<string, string | boolean | undefined>;
      globals: GlobalValues;
    };

type Values = Record<string, string | boolean | string[] | undefined>;

/**
 * Parses `argv` with `util.parseArgs` against every option any command knows, then finds the
 * command its words name and refuses options that command does not take. Throws a
 * {@link UsageError} for anything malformed.
 */
export function parseCommandLine(argv: readonly string[], commands: readonly Command[]): CommandLine {
  let values: Values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: [...argv], options: allOptions(commands), allowPositionals: true, strict: true }) as {
      values: Values;
      positionals: string[];
    });
  } catch (error) {
    // Node's messages ("Unknown option '--foo'") are clear; the rest of them is about `--`.
    const message = error instanceof Error ? error.message.split('. ')[0]! : String(error);
    throw new UsageError(message, usageLine([], commands));
  }

  if (values.version === true) return { kind: 'version' };
  const help = values.help === true;
  const command = commands.find((candidate) => candidate.path.every((word, index) => positionals[index] === word));

  if (command === undefined) {
    const group = positionals.slice(0, 1);
    const known = group.length > 0 && commandsUnder(group, commands).length > 0;
    if (help) return { kind: 'help', topic: known ? group : [] };
    if (positionals.length === 0) throw new UsageError('missing command', usageLine([], commands));
    if (!known) throw new UsageError(`unknown command "${positionals[0]}"`, usageLine([], commands));
    if (positionals.length === 1) throw new UsageError(`"${group[0]}" needs a subcommand`, usageLine(group, commands));
    throw new UsageError(`unknown command "${positionals.slice(0, 2).join(' ')}"`, usageLine(group, commands));
  }

  const argument = command.argument ? positionals[command.path.length] : undefined;
  const extra = positionals[command.path.length + (command.argument ? 1 : 0)];
  if (extra !== undefined) {
    throw new UsageError(`unexpected argument "${extra}"`, usageLine(command, commands));
  }
  for (const name of Object.keys(values)) {
    if (!(name in GLOBAL_OPTIONS) && !(name in command.options)) {
      throw new UsageError(`--${name} is not an option of "tododb ${command.path.join(' ')}"`, usageLine(command, commands));
    }
  }
  if (help) return { kind: 'help', topic: command };
  if (command.argument && argument === undefined) {
    throw new UsageError(`missing ${command.argument.name}`, usageLine(command, commands));
  }

  const globals = readGlobalOptions(values, usageLine(command, commands));
  const options: Record<string, string | boolean | undefined> = {};
  for (const name of Object.keys(command.options)) options[name] = values[name] as string | boolean | undefined;
  return { kind: 'command', command, argument, options, globals };
}

// The union of every command's options. A name two commands share must mean the same type,
// so that one parse serves them all.
function allOptions(commands: readonly Command[]): Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> {
  const all: Record<string, OptionSpec> = { ...GLOBAL_OPTIONS };
  for (const command of commands) {
    for (const [name, spec] of Object.entries(command.options)) {
      const existing = all[name];
      if (existing !== undefined && (existing.type !== spec.type || existing.multiple !== spec.multiple)) {
        throw new TypeError(`Option --${name} is declared twice, differently`);
      }
      all[name] = spec;
    }
  }
  return Object.fromEntries(
    Object.entries(all).map(([name, { type, short, multiple }]) => [
      name,
      { type, ...(short === undefined ? {} : { short }), ...(multiple === undefined ? {} : { multiple }) },
    ]),
  );
}
