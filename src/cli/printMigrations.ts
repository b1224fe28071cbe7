import type { MigrationEvent } from 'tododb';
import type { TextSink } from './CliIo.js';

const VERBS = { up: 'applied', down: 'reverted' } as const;

/** Prints one line per migration as the migrator reports it: what happened, to which, how long. */
export function printMigrationEvent(out: TextSink): (event: MigrationEvent) => void {
  return (event) => {
    if (event.outcome === 'skipped') {
      out.write(`skipped   ${event.name}  (already done by another process)\n`);
    } else {
      out.write(`${VERBS[event.direction].padEnd(9)} ${event.name}  ${event.durationMs} ms\n`);
    }
  };
}

/** `2 migrations`, `1 migration`. */
export function countMigrations(count: number): string {
  return `${count} migration${count === 1 ? '' : 's'}`;
}
