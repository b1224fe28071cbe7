import type { CliIo } from './CliIo.js';
import { UsageError } from './UsageError.js';

export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/**
 * The one place where a failure becomes output and an exit code: `tododb: <reason>` on one
 * line, the stack (with its causes) only under `--verbose`. tododb's messages never hold a
 * password; anything else is scrubbed of URL credentials before it is printed.
 */
export function reportError(error: unknown, io: CliIo, verbose: boolean): number {
  if (error instanceof UsageError) {
    io.stderr.write(`tododb: ${scrub(firstLine(error.message))}\n${error.usage}\n`);
    return EXIT_USAGE;
  }
  io.stderr.write(`tododb: ${scrub(firstLine(messageOf(error)))}\n`);
  if (verbose) {
    io.stderr.write(`${scrub(stackWithCauses(error))}\n`);
  }
  return EXIT_FAILURE;
}

function messageOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.trim() === '' ? 'failed for an unknown reason (run with --verbose for details)' : message;
}

function firstLine(text: string): string {
  return text.trim().split('\n', 1)[0] ?? '';
}

function stackWithCauses(error: unknown): string {
  const parts: string[] = [];
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current !== undefined && current !== null && !seen.has(current)) {
    seen.add(current);
    parts.push(current instanceof Error ? (current.stack ?? `${current.name}: ${current.message}`) : String(current));
    current = (current as { cause?: unknown }).cause;
  }
  return parts.join('\nCaused by: ');
}

// `scheme://user:secret@` → `scheme://user:***@`, wherever a URL appears in text we did not write.
const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*):[^\s/@]*@/gi;

/** Removes the password from any URL in `text`. */
export function scrub(text: string): string {
  return text.replace(URL_CREDENTIALS, '$1:***@');
}
