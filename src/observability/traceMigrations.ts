import type { Attributes } from '@opentelemetry/api';
import { runInSpan } from './endSpan.js';
import { activeTracer, openTelemetry } from './openTelemetry.js';

/**
 * Runs one `up` or `down` of the migrator in a span, `tododb.migrate up|down`, under which each
 * migration gets its own ({@link traceMigration}). Without a registered tracer provider it only
 * runs `run`.
 */
export function traceMigrationRun(
  target: Readonly<Attributes>,
  direction: 'up' | 'down',
  steps: number,
  run: () => Promise<string[]>,
): Promise<string[]> {
  const tracer = activeTracer();
  if (!tracer) return run();
  const api = openTelemetry()!;
  const span = tracer.startSpan(`tododb.migrate ${direction}`, {
    kind: api.SpanKind.INTERNAL,
    attributes: { ...target, 'tododb.migration.direction': direction, 'tododb.migration.planned': steps },
  });
  return runInSpan(api, span, async () => {
    const done = await run();
    span.setAttribute('tododb.migration.done', done.length);
    return done;
  });
}

/**
 * Runs one migration (its transaction, lock and record) in a span named after it,
 * `tododb.migration 0001-create-users`: `outcome` is `done`, or `skipped` when another process had
 * applied (or reverted) it first.
 */
export function traceMigration(
  target: Readonly<Attributes>,
  name: string,
  direction: 'up' | 'down',
  run: () => Promise<boolean>,
): Promise<boolean> {
  const tracer = activeTracer();
  if (!tracer) return run();
  const api = openTelemetry()!;
  const span = tracer.startSpan(`tododb.migration ${name}`, {
    kind: api.SpanKind.INTERNAL,
    attributes: { ...target, 'tododb.migration.name': name, 'tododb.migration.direction': direction },
  });
  return runInSpan(api, span, async () => {
    const did = await run();
    span.setAttribute('tododb.migration.outcome', did ? 'done' : 'skipped');
    return did;
  });
}
