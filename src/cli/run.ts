import type { CliIo } from './CliIo.js';
import { commands } from './commands/index.js';
import { helpText, usageLine } from './help.js';
import { loadEnv } from './loadEnv.js';
import { parseCommandLine } from './parseCommandLine.js';
import { reportError } from './reportError.js';
import { packageVersion } from './version.js';

/**
 * Runs the CLI once: parses `argv`, runs the command, and resolves with the exit code
 * (0 success, 1 failure, 2 usage error). It never throws and never exits the process, so
 * tests call it in-process with their own io.
 */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  // Known before parsing, so that even a parse failure can be shown with its stack.
  let verbose = argv.includes('--verbose');
  try {
    const line = parseCommandLine(argv, commands);
    switch (line.kind) {
      case 'version':
        io.stdout.write(`${packageVersion()}\n`);
        return 0;
      case 'help':
        io.stdout.write(helpText(line.topic, commands, packageVersion()));
        return 0;
      case 'command': {
        const { command, argument, options, globals } = line;
        verbose = globals.verbose;
        const { env, files } = loadEnv(io.cwd, io.env, globals.envFiles, usageLine(command, commands));
        return await command.run({
          io,
          command,
          env,
          envFiles: files,
          argument,
          options,
          url: globals.url,
          schema: globals.schema,
          timeoutMs: globals.timeoutMs,
        });
      }
    }
  } catch (error) {
    return reportError(error, io, verbose);
  }
}
