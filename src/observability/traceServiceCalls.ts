import type { Attributes, Span } from '@opentelemetry/api';
import { NotFoundError } from '../errors/errors.js';
import type { TaskService, UserService } from '../services/records.js';
import type { Query } from '../services/statements.js';
import { runInSpan } from './endSpan.js';
import { activeTracer, openTelemetry } from './openTelemetry.js';

// What each service call does in SQL: its span is `{operation} {table}`, as OpenTelemetry's
// database conventions name a client span. Known from the call, not parsed from its SQL.
const USER_CALLS: Record<keyof UserService, string> = { create: 'INSERT', get: 'SELECT', getByEmail: 'SELECT', delete: 'DELETE' };
const TASK_CALLS: Record<keyof TaskService, string> = {
  create: 'INSERT',
  list: 'SELECT',
  get: 'SELECT',
  update: 'UPDATE',
  delete: 'DELETE',
};

// The span of the service call running in the current context, for traceQuery to complete.
let callSpanKey: symbol | undefined;

/** `db.users` with a client span per call when a tracer provider is registered; the calls as they are otherwise. */
export function traceUserService(service: UserService, target: Readonly<Attributes>): UserService {
  return traceService(service, 'users', USER_CALLS, target);
}

/** `db.tasks` with a client span per call when a tracer provider is registered; the calls as they are otherwise. */
export function traceTaskService(service: TaskService, target: Readonly<Attributes>): TaskService {
  return traceService(service, 'tasks', TASK_CALLS, target);
}

/**
 * The service layer's statement runner, adding the statement's text to the span of the call it
 * runs for. The text is safe to record: every statement of the service layer is a constant with
 * `$1, $2, …` placeholders, so no value a caller passed is ever part of it (the values are never
 * recorded), and it tells which of a call's variants ran (a list with or without the filter).
 */
export function traceQuery(query: Query): Query {
  return (statement, values, actingUser) => {
    const api = openTelemetry();
    if (api && callSpanKey) {
      const span = api.context.active().getValue(callSpanKey) as Span | undefined;
      span?.setAttribute('db.query.text', statement.text);
    }
    return query(statement, values, actingUser);
  };
}

// Per handle and call, made once: a transaction's services are wrapped anew for each transaction.
const attributesByTarget = new WeakMap<Readonly<Attributes>, Map<string, Attributes>>();

function callAttributes(target: Readonly<Attributes>, table: string, name: string, operation: string): Attributes {
  let byCall = attributesByTarget.get(target);
  if (!byCall) {
    byCall = new Map();
    attributesByTarget.set(target, byCall);
  }
  const call = `${table}.${name}`;
  let attributes = byCall.get(call);
  if (!attributes) {
    attributes = Object.freeze({ ...target, 'db.operation.name': operation, 'db.collection.name': table, 'tododb.call': call });
    byCall.set(call, attributes);
  }
  return attributes;
}

function traceService<S extends object>(service: S, table: string, operations: Record<keyof S, string>, target: Readonly<Attributes>): S {
  const traced = {} as Record<string, unknown>;
  for (const [name, operation] of Object.entries(operations) as [string, string][]) {
    const call = (service as Record<string, (...args: unknown[]) => Promise<unknown>>)[name]!;
    traced[name] = (...args: unknown[]) => {
      const tracer = activeTracer();
      if (!tracer) return call(...args);
      const api = openTelemetry()!;
      const span = tracer.startSpan(`${operation} ${table}`, {
        kind: api.SpanKind.CLIENT,
        attributes: callAttributes(target, table, name, operation),
      });
      callSpanKey ??= api.createContextKey('tododb.serviceCall');
      const context = api.trace.setSpan(api.context.active(), span).setValue(callSpanKey, span);
      // A task or user that is not there is an answer (no row), not a failure of the database.
      return runInSpan(api, span, () => call(...args), { context, isFailure: (error) => !(error instanceof NotFoundError) });
    };
  }
  return traced as S;
}
