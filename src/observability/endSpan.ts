import type { Span } from '@opentelemetry/api';
import { TododbError } from '../errors/errors.js';
import type { OpenTelemetry } from './openTelemetry.js';

/**
 * Ends `span` as failed by `error`: `error.type` is the SQLSTATE when PostgreSQL answered with
 * one (also `db.response.status_code`), else tododb's error code (`DATABASE_UNAVAILABLE`, …),
 * else the error's class name. The status message is a tododb error's message, which never holds
 * a value; any other error's message (a callback's own) is left out.
 */
export function endSpanWithError(api: OpenTelemetry, span: Span, error: unknown): void {
  const state = serverSqlState(error);
  if (state !== undefined) span.setAttribute('db.response.status_code', state);
  span.setAttribute('error.type', state ?? errorType(error));
  span.setStatus({ code: api.SpanStatusCode.ERROR, ...(error instanceof TododbError ? { message: error.message } : {}) });
  span.end();
}

function errorType(error: unknown): string {
  if (error instanceof TododbError) return error.code;
  const name = error instanceof Error ? error.name : undefined;
  return name && name !== 'Error' ? name : '_OTHER';
}

/**
 * The SQLSTATE PostgreSQL answered with, found along the `cause` chain (tododb's errors keep pg's
 * as `cause`, Sequelize's as `parent`). Only an error the server sent has one: pg marks those with
 * a `severity`, which tells them from Node's own codes (`EPIPE` is five letters too).
 */
export function serverSqlState(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current && depth < 5; current = (current as { cause?: unknown }).cause, depth += 1) {
    const wrapped = current as { parent?: unknown; original?: unknown };
    for (const candidate of [current, wrapped.parent, wrapped.original]) {
      const fields = candidate as { code?: unknown; severity?: unknown } | null | undefined;
      if (typeof fields?.code === 'string' && typeof fields.severity === 'string') return fields.code;
    }
  }
  return undefined;
}

/**
 * Runs `work` with `span` as the active span (so that spans started inside it are its
 * children), then ends the span: as failed when `work` rejects, unless `isFailure` says the
 * rejection is an answer rather than a failure.
 */
export function runInSpan<T>(
  api: OpenTelemetry,
  span: Span,
  work: () => Promise<T>,
  options: { context?: ReturnType<OpenTelemetry['context']['active']>; isFailure?: (error: unknown) => boolean } = {},
): Promise<T> {
  const context = options.context ?? api.trace.setSpan(api.context.active(), span);
  return api.context.with(context, work).then(
    (value) => {
      span.end();
      return value;
    },
    (error: unknown) => {
      if (options.isFailure && !options.isFailure(error)) span.end();
      else endSpanWithError(api, span, error);
      throw error;
    },
  );
}
