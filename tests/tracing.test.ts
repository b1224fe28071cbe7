// Tracing as a user of OpenTelemetry meets it: with a tracer provider registered, each service
// call, transaction, migration and health probe is a span after the database conventions, nested
// as the calls are, and never carrying a value a caller passed; with none, nothing is recorded.
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { checkHealth, createDatabase, createMigrator, type Database } from '../src/index.js';
import { createTestDatabase, useTestDatabase, withDatabase } from './support/testDatabase.js';

// Values a caller passes; none may appear in any span.
const MARKER = 'mkr7f3a9c';
const MARKER_EMAIL = `${MARKER}@example.com`;
const MARKER_TITLE = `Task ${MARKER}`;
const MARKER_PASSWORD = `pw_${MARKER}_secret`;

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const contextManager = new AsyncLocalStorageContextManager();

function register(): void {
  context.setGlobalContextManager(contextManager.enable());
  trace.setGlobalTracerProvider(provider);
}

function unregister(): void {
  trace.disable();
  context.disable();
}

const spans = (): ReadableSpan[] => exporter.getFinishedSpans();
const named = (name: string): ReadableSpan[] => spans().filter((span) => span.name === name);
const one = (name: string): ReadableSpan => {
  const found = named(name);
  expect(
    found,
    `spans named ${name} among ${spans()
      .map((span) => span.name)
      .join(', ')}`,
  ).toHaveLength(1);
  return found[0]!;
};
const parentOf = (span: ReadableSpan): string | undefined => span.parentSpanContext?.spanId;
const idOf = (span: ReadableSpan): string => span.spanContext().spanId;

/** Everything a span exports as text: attributes, events, status. */
function exported(span: ReadableSpan): string {
  return JSON.stringify({ name: span.name, attributes: span.attributes, events: span.events, status: span.status });
}

function expectNoValues(): void {
  expect(spans().length).toBeGreaterThan(0);
  for (const span of spans()) {
    for (const value of [MARKER, MARKER_PASSWORD]) expect(exported(span)).not.toContain(value);
  }
}

const server = () => new URL(inject('serverUrl'));

describe('tracing', () => {
  const t = useTestDatabase({ pool: { max: 3 } });
  let db: Database;
  let namespace: string;

  beforeAll(() => {
    db = t.db;
    namespace = `${t.testDb.name}|public`;
    register();
  });
  afterAll(unregister);
  beforeEach(() => exporter.reset());

  it('gives each service call a client span named after its operation and table, with the conventions’ attributes', async () => {
    const user = await db.users.create({ email: MARKER_EMAIL, name: MARKER });
    const task = await db.tasks.create(user.id, { title: MARKER_TITLE, description: MARKER });
    await db.tasks.list(user.id, { completed: false });
    await db.tasks.update(user.id, task.id, { title: `${MARKER_TITLE} 2`, isCompleted: true });
    await db.users.getByEmail(MARKER_EMAIL);

    expect(spans().map((span) => span.name)).toEqual(['INSERT users', 'INSERT tasks', 'SELECT tasks', 'UPDATE tasks', 'SELECT users']);
    const insert = one('INSERT users');
    expect(insert.kind).toBe(SpanKind.CLIENT);
    expect(insert.status.code).toBe(SpanStatusCode.UNSET);
    expect(insert.attributes).toMatchObject({
      'db.system.name': 'postgresql',
      'db.operation.name': 'INSERT',
      'db.collection.name': 'users',
      'db.namespace': namespace,
      'server.address': server().hostname,
      'server.port': Number(server().port || 5432),
      'tododb.call': 'users.create',
    });
    // The parameterised statement, with placeholders where the values went.
    expect(insert.attributes['db.query.text']).toMatch(/^INSERT INTO "public"\."users" \(id, email, name\) VALUES \(\$1, \$2, \$3\)/);
    expect(one('SELECT tasks').attributes['db.query.text']).toContain('is_completed = $2');
    expect(one('SELECT users').attributes['tododb.call']).toBe('users.getByEmail');
    expectNoValues();
  });

  it('records a failed call with error.type and the SQLSTATE, a refused input by its code, and a missing row as no failure', async () => {
    await db.users.create({ email: `taken-${MARKER_EMAIL}` });
    exporter.reset();
    await expect(db.users.create({ email: `taken-${MARKER_EMAIL}` })).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(db.users.create({ email: `not an email ${MARKER}` })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    await expect(db.users.get('00000000-0000-7000-8000-000000000000')).rejects.toMatchObject({ code: 'NOT_FOUND' });

    const [conflict, invalid] = named('INSERT users');
    expect(conflict!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'email is already taken' });
    expect(conflict!.attributes).toMatchObject({ 'error.type': '23505', 'db.response.status_code': '23505' });
    expect(invalid!.status.code).toBe(SpanStatusCode.ERROR);
    expect(invalid!.attributes['error.type']).toBe('VALIDATION_FAILED');
    expect(invalid!.attributes['db.response.status_code']).toBeUndefined();
    // A validation failure never reached the database: no statement ran.
    expect(invalid!.attributes['db.query.text']).toBeUndefined();
    const missing = one('SELECT users');
    expect(missing.status.code).toBe(SpanStatusCode.UNSET);
    expect(missing.attributes['error.type']).toBeUndefined();
    expectNoValues();
  });

  it('nests the calls of a transaction, joined db.* calls and a savepoint under the transaction’s span, itself under the caller’s', async () => {
    const owner = await db.users.create({ email: `owner-${MARKER_EMAIL}` });
    exporter.reset();
    const tracer = trace.getTracer('test');
    await tracer.startActiveSpan('request', async (request) => {
      await db.transaction(
        async (tx) => {
          await tx.users.get(owner.id);
          await db.tasks.create(owner.id, { title: MARKER_TITLE }); // joins the transaction
          await db.transaction(async (inner) => inner.tasks.list(owner.id));
        },
        { isolationLevel: 'repeatable read' },
      );
      request.end();
    });

    const request = one('request');
    const transaction = one('tododb.transaction');
    const savepoint = one('tododb.savepoint');
    expect(parentOf(transaction)).toBe(idOf(request));
    expect(parentOf(one('SELECT users'))).toBe(idOf(transaction));
    expect(parentOf(one('INSERT tasks'))).toBe(idOf(transaction));
    expect(parentOf(savepoint)).toBe(idOf(transaction));
    expect(parentOf(one('SELECT tasks'))).toBe(idOf(savepoint));
    expect(new Set(spans().map((span) => span.spanContext().traceId)).size).toBe(1);
    expect(transaction.kind).toBe(SpanKind.INTERNAL);
    expect(transaction.attributes).toMatchObject({
      'db.system.name': 'postgresql',
      'db.namespace': namespace,
      'tododb.transaction.isolation_level': 'repeatable read',
      'tododb.transaction.outcome': 'commit',
    });
    expect(transaction.status.code).toBe(SpanStatusCode.UNSET);
    expectNoValues();
  });

  it('ends a rolled-back transaction’s span as failed, with the error’s class and without its message', async () => {
    class PaymentDeclined extends Error {
      override name = 'PaymentDeclined';
    }
    await expect(
      db.transaction(async (tx) => {
        await tx.users.create({ email: `rolled-back-${MARKER_EMAIL}` });
        throw new PaymentDeclined(`card of ${MARKER} declined`);
      }),
    ).rejects.toBeInstanceOf(PaymentDeclined);
    const transaction = one('tododb.transaction');
    expect(transaction.status).toEqual({ code: SpanStatusCode.ERROR });
    expect(transaction.attributes).toMatchObject({ 'error.type': 'PaymentDeclined', 'tododb.transaction.outcome': 'rollback' });
    expectNoValues();
  });

  it('reports a closed handle’s refusal as DATABASE_CLOSED', async () => {
    const closed = createDatabase({ url: t.testDb.url }, {});
    await closed.close();
    await expect(closed.users.get('00000000-0000-7000-8000-000000000000')).rejects.toMatchObject({ code: 'DATABASE_CLOSED' });
    expect(one('SELECT users').attributes).toMatchObject({ 'error.type': 'DATABASE_CLOSED' });
  });

  it('gives a health probe a span with its status, and never the password of the URL', async () => {
    const url = new URL(t.testDb.url);
    url.password = MARKER_PASSWORD; // the server trusts local connections: the password is never asked for
    const withPassword = createDatabase({ url: url.toString() }, {});
    try {
      await withPassword.users.create({ email: `pw-${MARKER_EMAIL}` });
      expect((await checkHealth(withPassword)).status).toBe('ok');
      await withPassword.close();
      expect((await checkHealth(withPassword)).status).toBe('error');
    } finally {
      await withPassword.close();
    }
    const [ok, failed] = named('tododb.health');
    expect(ok!.kind).toBe(SpanKind.CLIENT);
    expect(ok!.attributes).toMatchObject({ 'db.system.name': 'postgresql', 'db.namespace': namespace, 'tododb.health.status': 'ok' });
    expect(ok!.status.code).toBe(SpanStatusCode.UNSET);
    expect(failed!.status).toEqual({ code: SpanStatusCode.ERROR, message: 'the database handle is closed' });
    expect(failed!.attributes).toMatchObject({ 'tododb.health.status': 'error', 'error.type': 'tododb.unhealthy' });
    expectNoValues();
  });

  it('gives a migration run a span, and each migration one under it', async () => {
    const empty = await createTestDatabase({ migrated: false });
    const fresh = createDatabase({ url: withDatabase(inject('serverUrl'), empty.name) }, {});
    try {
      const applied = await createMigrator(fresh).up();
      const run = one('tododb.migrate up');
      expect(run.attributes).toMatchObject({
        'db.system.name': 'postgresql',
        'tododb.migration.direction': 'up',
        'tododb.migration.done': applied.length,
      });
      const migrations = spans().filter((span) => span.name.startsWith('tododb.migration '));
      expect(migrations.map((span) => span.name)).toEqual(applied.map((name) => `tododb.migration ${name}`));
      for (const migration of migrations) {
        expect(parentOf(migration)).toBe(idOf(run));
        expect(migration.attributes).toMatchObject({ 'tododb.migration.outcome': 'done', 'tododb.migration.direction': 'up' });
      }
      exporter.reset();
      await createMigrator(fresh).down();
      expect(one(`tododb.migration ${applied.at(-1)}`).attributes).toMatchObject({ 'tododb.migration.direction': 'down' });
      expect(one('tododb.migrate down').status.code).toBe(SpanStatusCode.UNSET);
    } finally {
      await fresh.close();
      await empty.drop();
    }
  });
});

describe('without a tracer provider', () => {
  const t = useTestDatabase();
  afterAll(unregister);

  it('starts no span and switches no context, and traces once one is registered, with no new handle', async () => {
    // A context manager alone (as an application may have for its logs): count tododb's use of it.
    context.setGlobalContextManager(contextManager.enable());
    const contextWith = contextManager.with.bind(contextManager);
    let switches = 0;
    contextManager.with = ((...args: Parameters<typeof contextWith>) => {
      switches += 1;
      return contextWith(...args);
    }) as typeof contextManager.with;
    exporter.reset();

    const user = await t.db.users.create({ email: `untraced-${MARKER_EMAIL}` });
    await t.db.transaction(async (tx) => tx.tasks.create(user.id, { title: MARKER_TITLE }));
    await createMigrator(t.db).up();
    await checkHealth(t.db);
    expect(switches).toBe(0);

    trace.setGlobalTracerProvider(provider);
    await t.db.users.get(user.id);
    expect(spans().map((span) => span.name)).toEqual(['SELECT users']);
    expect(switches).toBeGreaterThan(0);
  });
});
