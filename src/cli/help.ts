import type { Command, OptionSpec } from './Command.js';
import { GLOBAL_OPTIONS } from './globalOptions.js';

/** `--to NAME`, `--json`, `-h, --help`. */
function flag(name: string, spec: OptionSpec): string {
  const long = `--${name}${spec.type === 'string' ? ` ${spec.valueName ?? 'VALUE'}` : ''}`;
  return spec.short === undefined ? long : `-${spec.short}, ${long}`;
}

function optionList(options: Record<string, OptionSpec>): string {
  const rows = Object.entries(options).map(([name, spec]) => [flag(name, spec), spec.description] as const);
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}\n`).join('');
}

function synopsis(command: Command): string {
  const options = Object.entries(command.options).map(([name, spec]) => ` [${flag(name, spec)}]`);
  const argument = command.argument ? ` ${command.argument.name}` : '';
  return `tododb ${command.path.join(' ')}${argument}${options.join('')}`;
}

function commandList(commands: readonly Command[]): string {
  const rows = commands.map((command) => [synopsis(command).slice('tododb '.length), command.summary] as const);
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}\n`).join('');
}

/** What help is about: one command, or a group of them by its words (`[]` for all of them). */
export type HelpTopic = Command | readonly string[];

function isCommand(topic: HelpTopic): topic is Command {
  return 'run' in topic;
}

/** The commands under a group such as `migrate`. */
export function commandsUnder(group: readonly string[], commands: readonly Command[]): Command[] {
  return commands.filter((command) => group.every((word, index) => command.path[index] === word) && command.path.length > group.length);
}

/** The one usage line printed under a usage error. */
export function usageLine(topic: HelpTopic, commands: readonly Command[]): string {
  if (isCommand(topic)) {
    return `Usage: ${synopsis(topic)} [--url URL] [--schema NAME] [--env-file PATH]… [--timeout MS] [--verbose]`;
  }
  const group = topic;
  if (group.length === 0) {
    return 'Usage: tododb <command> [options]  (run "tododb --help" for the list of commands)';
  }
  const words = commandsUnder(group, commands).map((command) => command.path[group.length]);
  return `Usage: tododb ${group.join(' ')} <${[...new Set(words)].join('|')}> [options]`;
}

/** Full help for the whole CLI (`[]`), a group (`['migrate']`) or a command. */
export function helpText(topic: HelpTopic, commands: readonly Command[], version: string): string {
  if (isCommand(topic)) {
    const command = topic;
    return (
      `${usageLine(command, commands)}\n\n${command.summary}.\n\n` +
      (Object.keys(command.options).length > 0 ? `Options:\n${optionList(command.options)}\n` : '') +
      `Global options:\n${optionList(GLOBAL_OPTIONS)}`
    );
  }
  const group = topic;
  const listed = group.length === 0 ? commands : commandsUnder(group, commands);
  const header = group.length === 0 ? `tododb ${version}: manage the tododb schema in PostgreSQL\n\n` : '';
  const usage = group.length === 0 ? 'Usage: tododb <command> [options]' : usageLine(group, commands);
  return (
    `${header}${usage}\n\nCommands:\n${commandList(listed)}\n` +
    `Options:\n${optionList(GLOBAL_OPTIONS)}\n` +
    'The database URL comes from --url, else MIGRATION_DATABASE_URL (migrate and roles commands only), else DATABASE_URL.\n' +
    'Variables set in the environment win over the files .env, .env.local, .env.$NODE_ENV and\n' +
    '.env.$NODE_ENV.local in the working directory, read when present, each overriding the one before;\n' +
    '--env-file PATH reads the files it names instead.\n' +
    'Exit codes: 0 success, 1 failure, 2 usage error.\n'
  );
}
