import type { Attributes } from '@opentelemetry/api';
import type { IsolationLevel } from '../connection/Connections.js';
import { runInSpan, serverSqlState } from './endSpan.js';
import { activeTracer, openTelemetry } from './openTelemetry.js';

/** What `db.transaction()` tells its span: that it ran again after a serialization failure. */
export type OnRetry = (error: unknown) => void;

const ignoreRetry: OnRetry = () => {};

/**
 * Runs one `db.transaction()` call (all its attempts) in a span of its own, `tododb.transaction`,
 * or `tododb.savepoint` for a nested one; the spans of the service calls made inside it are its
 * children. Without a registered tracer provider it only runs `run`.
 */
export function traceTransaction<T>(
  target: Readonly<Attributes>,
  options: { nested: boolean; isolationLevel: IsolationLevel | undefined },
  run: (onRetry: OnRetry) => Promise<T>,
): Promise<T> {
  const tracer = activeTracer();
  if (!tracer) return run(ignoreRetry);
  const api = openTelemetry()!;
  const span = tracer.startSpan(options.nested ? 'tododb.savepoint' : 'tododb.transaction', {
    kind: api.SpanKind.INTERNAL,
    attributes: options.nested ? target : { ...target, 'tododb.transaction.isolation_level': options.isolationLevel ?? 'read committed' },
  });
  let retries = 0;
  const onRetry: OnRetry = (error) => {
    retries += 1;
    span.addEvent('tododb.transaction.retry', { 'error.type': serverSqlState(error) ?? 'SERIALIZATION_FAILURE' });
  };
  const ended = (outcome: 'commit' | 'rollback') => {
    span.setAttribute('tododb.transaction.outcome', outcome);
    if (retries > 0) span.setAttribute('tododb.transaction.retries', retries);
  };
  return runInSpan(api, span, () =>
    run(onRetry).then(
      (value) => {
        ended('commit');
        return value;
      },
      (error: unknown) => {
        ended('rollback');
        throw error;
      },
    ),
  );
}
