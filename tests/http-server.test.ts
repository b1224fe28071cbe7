// The example server's routes, in-process on a real PostgreSQL: every route of CONTRACT.md's
// table with its success and each listed error, the problem details format, request ids and
// logs. The app is the one `npm start` runs, listening on a free port.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toProblem } from '../examples/http-server/problemDetails.js';
import { createTestDatabase, type TestDatabase } from './support/testDatabase.js';
import { startExampleServer, type ApiResponse, type ExampleServer } from './support/exampleServer.js';

const MISSING_ID = '01900000-0000-7000-8000-000000000000';
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

let testDb: TestDatabase;
let server: ExampleServer;
let emailCount = 0;

beforeAll(async () => {
  testDb = await createTestDatabase();
  server = await startExampleServer(testDb.url);
});
afterAll(async () => {
  await server?.close();
  await testDb?.drop();
});

const api = (method: string, path: string, body?: unknown) => server.request(method, path, { body });

async function newUser(name?: string): Promise<{ id: string; email: string }> {
  const response = await api('POST', '/api/users', { email: `user${++emailCount}@example.com`, ...(name ? { name } : {}) });
  expect(response.status).toBe(201);
  return response.body;
}

async function newTask(userId: string, input: Record<string, unknown> = {}): Promise<{ id: string; title: string }> {
  const response = await api('POST', `/api/users/${userId}/tasks`, { title: 'a task', ...input });
  expect(response.status).toBe(201);
  return response.body;
}

/** Asserts an RFC 9457 problem details answer with this status; returns the body. */
function expectProblem(response: ApiResponse, status: number): Record<string, any> {
  expect(response.status, JSON.stringify(response.body)).toBe(status);
  expect(response.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({ type: expect.any(String), title: expect.any(String), status, detail: expect.any(String) });
  return response.body;
}

/** The fields a 400 names, from its `errors` extension. */
function fieldsOf(problem: Record<string, any>): string[] {
  return problem.errors.map((issue: { field: string }) => issue.field);
}

describe('POST /api/users', () => {
  it('creates a user: 201, the user with ISO dates, and its Location', async () => {
    const response = await api('POST', '/api/users', { email: '  Grace@Example.COM ', name: 'Grace' });
    expect(response.status).toBe(201);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.body).toEqual({
      id: expect.any(String),
      email: 'grace@example.com',
      name: 'Grace',
      createdAt: expect.stringMatching(ISO),
      updatedAt: expect.stringMatching(ISO),
    });
    expect(response.headers.get('location')).toBe(`/api/users/${response.body.id}`);
  });

  it('answers 409 when the email is taken, whatever its case', async () => {
    await api('POST', '/api/users', { email: 'taken@example.com' });
    const problem = expectProblem(await api('POST', '/api/users', { email: 'TAKEN@example.com' }), 409);
    expect(problem.code).toBe('CONFLICT');
    expect(fieldsOf(problem)).toEqual(['email']);
  });

  it.each([
    ['an invalid email', { email: 'not an email' }, ['email']],
    ['no email', { name: 'x' }, ['email']],
    ['an email that is not a string', { email: 42 }, ['email']],
    ['an unknown field', { email: 'ok@example.com', isAdmin: true }, ['isAdmin']],
    ['a name that is too long', { email: 'long@example.com', name: 'n'.repeat(256) }, ['name']],
    ['an array', [{ email: 'a@example.com' }], ['body']],
  ])('answers 400 naming the field for %s', async (_case, body, fields) => {
    const problem = expectProblem(await api('POST', '/api/users', body), 400);
    expect(problem.code).toBe('VALIDATION_FAILED');
    expect(fieldsOf(problem)).toEqual(fields);
  });

  it('answers 400 for a body that is not JSON and 415 for one of another type', async () => {
    expectProblem(await server.request('POST', '/api/users', { body: '{"email":', headers: { 'content-type': 'application/json' } }), 400);
    expectProblem(await server.request('POST', '/api/users', { body: 'email=a@b.c', headers: { 'content-type': 'text/plain' } }), 415);
  });
});

describe('GET and DELETE /api/users/:userId', () => {
  it('reads a user: 200', async () => {
    const user = await newUser('Ada');
    const response = await api('GET', `/api/users/${user.id}`);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: user.id, email: user.email, name: 'Ada' });
  });

  it('answers 404 for a user that does not exist', async () => {
    expect(expectProblem(await api('GET', `/api/users/${MISSING_ID}`), 404).code).toBe('NOT_FOUND');
    expectProblem(await api('DELETE', `/api/users/${MISSING_ID}`), 404);
  });

  it('deletes a user: 204 with no body, then 404', async () => {
    const user = await newUser();
    const response = await api('DELETE', `/api/users/${user.id}`);
    expect(response.status).toBe(204);
    expect(response.body).toBeUndefined();
    expectProblem(await api('GET', `/api/users/${user.id}`), 404);
    expectProblem(await api('DELETE', `/api/users/${user.id}`), 404);
  });

  it("takes the user's tasks with it (ON DELETE CASCADE)", async () => {
    const user = await newUser();
    const other = await newUser();
    const task = await newTask(user.id);
    await newTask(user.id);
    await newTask(other.id);
    expect((await api('DELETE', `/api/users/${user.id}`)).status).toBe(204);

    const [rows] = await server.db.sequelize.query(
      `SELECT user_id, count(*)::int AS n FROM tasks WHERE user_id IN (:ids) GROUP BY user_id`,
      {
        replacements: { ids: [user.id, other.id] },
      },
    );
    expect(rows).toEqual([{ user_id: other.id, n: 1 }]);
    expectProblem(await api('GET', `/api/users/${user.id}/tasks/${task.id}`), 404);
  });
});

describe('malformed ids', () => {
  const BAD_IDS = ['not-a-uuid', '%00', 'a'.repeat(300), `${MISSING_ID}x`, "1'%20OR%20'1'='1", '%E2%82', '..%2F..%2Fetc'];

  it.each(BAD_IDS)('answer 400 or 404 problem details, never 500, on every route: %s', async (bad) => {
    const user = await newUser();
    const task = await newTask(user.id);
    const attempts: [string, string, unknown?][] = [
      ['GET', `/api/users/${bad}`],
      ['DELETE', `/api/users/${bad}`],
      ['POST', `/api/users/${bad}/tasks`, { title: 't' }],
      ['GET', `/api/users/${bad}/tasks`],
      ['GET', `/api/users/${bad}/tasks/${task.id}`],
      ['GET', `/api/users/${user.id}/tasks/${bad}`],
      ['PATCH', `/api/users/${user.id}/tasks/${bad}`, { title: 't' }],
      ['DELETE', `/api/users/${user.id}/tasks/${bad}`],
      ['DELETE', `/api/users/${bad}/tasks/${task.id}`],
    ];
    for (const [method, path, body] of attempts) {
      const response = await api(method, path, body);
      expect([400, 404], `${method} ${path.slice(0, 80)}`).toContain(response.status);
      expectProblem(response, response.status);
    }
    expect((await api('GET', `/api/users/${user.id}/tasks/${task.id}`)).status).toBe(200);
  });
});

describe('POST /api/users/:userId/tasks', () => {
  it('creates a task with defaults: 201 and its Location', async () => {
    const user = await newUser();
    const response = await api('POST', `/api/users/${user.id}/tasks`, { title: '  Buy milk  ' });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({
      id: expect.any(String),
      userId: user.id,
      title: 'Buy milk',
      description: null,
      isCompleted: false,
      createdAt: expect.stringMatching(ISO),
      updatedAt: expect.stringMatching(ISO),
    });
    expect(response.headers.get('location')).toBe(`/api/users/${user.id}/tasks/${response.body.id}`);
  });

  it('takes a description and isCompleted', async () => {
    const user = await newUser();
    const response = await api('POST', `/api/users/${user.id}/tasks`, { title: 'Done', description: 'long ago', isCompleted: true });
    expect(response.status).toBe(201);
    expect(response.body).toMatchObject({ title: 'Done', description: 'long ago', isCompleted: true });
  });

  it('answers 404 for a user that does not exist', async () => {
    const problem = expectProblem(await api('POST', `/api/users/${MISSING_ID}/tasks`, { title: 'orphan' }), 404);
    expect(problem.detail).toMatch(/user/);
  });

  it.each([
    ['no title', {}, ['title']],
    ['a blank title', { title: '   ' }, ['title']],
    ['a title over 255 characters', { title: 't'.repeat(256) }, ['title']],
    ['a description over 10,000 characters', { title: 't', description: 'd'.repeat(10_001) }, ['description']],
    ['isCompleted as a string', { title: 't', isCompleted: 'true' }, ['isCompleted']],
    ['an unknown field', { title: 't', userId: MISSING_ID }, ['userId']],
    ['two unknown fields', { title: 't', done: true, priority: 1 }, ['done', 'priority']],
  ])('answers 400 naming the field for %s', async (_case, body, fields) => {
    const user = await newUser();
    const problem = expectProblem(await api('POST', `/api/users/${user.id}/tasks`, body), 400);
    expect(fieldsOf(problem).sort()).toEqual([...fields].sort());
  });
});

describe('GET, PATCH and DELETE /api/users/:userId/tasks/:taskId', () => {
  it('reads a task: 200, and 404 for one that does not exist', async () => {
    const user = await newUser();
    const task = await newTask(user.id, { title: 'read me' });
    const response = await api('GET', `/api/users/${user.id}/tasks/${task.id}`);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: task.id, userId: user.id, title: 'read me' });
    expectProblem(await api('GET', `/api/users/${user.id}/tasks/${MISSING_ID}`), 404);
  });

  it('updates a task: 200 with the new values and a later updatedAt', async () => {
    const user = await newUser();
    const task = await newTask(user.id);
    const response = await api('PATCH', `/api/users/${user.id}/tasks/${task.id}`, {
      title: 'renamed',
      description: 'now with text',
      isCompleted: true,
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: task.id, title: 'renamed', description: 'now with text', isCompleted: true });
    expect(Date.parse(response.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(response.body.createdAt));

    const cleared = await api('PATCH', `/api/users/${user.id}/tasks/${task.id}`, { description: null });
    expect(cleared.body).toMatchObject({ title: 'renamed', description: null, isCompleted: true });
  });

  it.each([
    ['an empty body', {}, ['body']],
    ['an unknown field', { title: 'x', createdAt: '2020-01-01T00:00:00.000Z' }, ['createdAt']],
    ['a blank title', { title: '' }, ['title']],
    ['isCompleted that is not a boolean', { isCompleted: 1 }, ['isCompleted']],
  ])('answers 400 for %s', async (_case, body, fields) => {
    const user = await newUser();
    const task = await newTask(user.id);
    expect(fieldsOf(expectProblem(await api('PATCH', `/api/users/${user.id}/tasks/${task.id}`, body), 400))).toEqual(fields);
  });

  it('answers 404 when updating a task that does not exist', async () => {
    const user = await newUser();
    expectProblem(await api('PATCH', `/api/users/${user.id}/tasks/${MISSING_ID}`, { title: 'x' }), 404);
  });

  it('deletes a task: 204, then 404', async () => {
    const user = await newUser();
    const task = await newTask(user.id);
    const response = await api('DELETE', `/api/users/${user.id}/tasks/${task.id}`);
    expect(response.status).toBe(204);
    expect(response.body).toBeUndefined();
    expectProblem(await api('GET', `/api/users/${user.id}/tasks/${task.id}`), 404);
    expectProblem(await api('DELETE', `/api/users/${user.id}/tasks/${task.id}`), 404);
  });

  it("answers 404 for another user's task on read, update and delete, and leaves it untouched", async () => {
    const owner = await newUser();
    const intruder = await newUser();
    const task = await newTask(owner.id, { title: 'mine' });
    const path = `/api/users/${intruder.id}/tasks/${task.id}`;
    const notFound = [await api('GET', path), await api('PATCH', path, { title: 'stolen' }), await api('DELETE', path)];
    for (const response of notFound) expect(expectProblem(response, 404).code).toBe('NOT_FOUND');
    // Exactly what an id that does not exist gets: nothing tells the intruder the task exists.
    const missing = await api('GET', `/api/users/${intruder.id}/tasks/${MISSING_ID}`);
    expect({ ...notFound[0]!.body, requestId: undefined }).toEqual({ ...missing.body, requestId: undefined });

    const after = await api('GET', `/api/users/${owner.id}/tasks/${task.id}`);
    expect(after.status).toBe(200);
    expect(after.body).toMatchObject({ title: 'mine', userId: owner.id });
    expect((await api('GET', `/api/users/${intruder.id}/tasks`)).body.items).toEqual([]);
  });
});

describe('GET /api/users/:userId/tasks', () => {
  let user: { id: string };
  let created: { id: string; isCompleted: boolean }[];

  beforeAll(async () => {
    user = await newUser();
    created = [];
    for (let i = 0; i < 45; i++) {
      const task = await newTask(user.id, { title: `task ${i}`, isCompleted: i % 3 === 0 });
      created.push({ id: task.id, isCompleted: i % 3 === 0 });
    }
  });

  async function allPages(query: string): Promise<{ sizes: number[]; items: { id: string; createdAt: string; isCompleted: boolean }[] }> {
    const sizes: number[] = [];
    const items = [];
    let cursor: string | null = null;
    do {
      const response: ApiResponse = await api(
        'GET',
        `/api/users/${user.id}/tasks?${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      expect(response.status).toBe(200);
      sizes.push(response.body.items.length);
      items.push(...response.body.items);
      cursor = response.body.nextCursor;
    } while (cursor !== null && sizes.length < 10);
    return { sizes, items };
  }

  function expectNewestFirst(items: { id: string; createdAt: string }[]): void {
    for (let i = 1; i < items.length; i++) {
      const [previous, current] = [items[i - 1]!, items[i]!];
      const order = Date.parse(previous.createdAt) - Date.parse(current.createdAt) || (previous.id > current.id ? 1 : -1);
      expect(order).toBeGreaterThan(0);
    }
  }

  it('pages through 45 tasks 20 at a time: 20, 20, 5, each once, newest first', async () => {
    const { sizes, items } = await allPages('limit=20');
    expect(sizes).toEqual([20, 20, 5]);
    expect(new Set(items.map((item) => item.id)).size).toBe(45);
    expect(items.map((item) => item.id).sort()).toEqual(created.map((task) => task.id).sort());
    expectNewestFirst(items);
    expect(items[0]!.id).toBe(created[44]!.id);
  });

  it('defaults to pages of 20', async () => {
    expect((await allPages('')).sizes).toEqual([20, 20, 5]);
  });

  it('filters by completed across pages', async () => {
    const done = await allPages('completed=true&limit=10');
    expect(done.sizes).toEqual([10, 5]);
    expect(done.items.every((item) => item.isCompleted)).toBe(true);
    expect(done.items.map((item) => item.id).sort()).toEqual(
      created
        .filter((task) => task.isCompleted)
        .map((task) => task.id)
        .sort(),
    );

    const open = await allPages('completed=false&limit=10');
    expect(open.sizes).toEqual([10, 10, 10]);
    expect(open.items.every((item) => !item.isCompleted)).toBe(true);
    expectNewestFirst(open.items);
  });

  it('answers an empty page for a user with no tasks', async () => {
    const other = await newUser();
    expect((await api('GET', `/api/users/${other.id}/tasks`)).body).toEqual({ items: [], nextCursor: null });
  });

  it.each([
    ['limit=0', ['limit']],
    ['limit=101', ['limit']],
    ['limit=abc', ['limit']],
    ['limit=2.5', ['limit']],
    ['completed=maybe', ['completed']],
    ['cursor=not-a-cursor', ['cursor']],
    // Well-formed, but dated before PostgreSQL's earliest timestamptz: once a 500.
    [`cursor=${Buffer.from(`-271821-04-20T00:00:00.000Z|${MISSING_ID}`).toString('base64url')}`, ['cursor']],
    ['sort=title', ['sort']],
    ['limit=5&offset=10', ['offset']],
  ])('answers 400 for ?%s', async (query, fields) => {
    const problem = expectProblem(await api('GET', `/api/users/${user.id}/tasks?${query}`), 400);
    expect(fieldsOf(problem)).toEqual(fields);
  });
});

describe('GET /health', () => {
  it('answers 200 with the health report, and no secret in it', async () => {
    const response = await api('GET', '/health');
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.body).toMatchObject({
      status: 'ok',
      latencyMs: expect.any(Number),
      checkedAt: expect.stringMatching(ISO),
      pool: { max: 5, inUse: expect.any(Number), idle: expect.any(Number), waiting: expect.any(Number) },
      migrations: { applied: expect.any(Number), pending: 0 },
    });
    const text = JSON.stringify(response.body);
    const url = new URL(testDb.url);
    expect(text).not.toContain('postgres://');
    expect(text).not.toContain(url.host);
    expect(text).not.toContain(testDb.name);
    if (url.password) expect(text).not.toContain(url.password);
  });

  it('has a liveness probe that does not need the database', async () => {
    const response = await api('GET', '/health/live');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok' });
  });
});

describe('errors, request ids and logs', () => {
  it('answers unknown routes and methods with 404 problem details', async () => {
    expect(expectProblem(await api('GET', '/api/nothing'), 404).code).toBe('ROUTE_NOT_FOUND');
    expectProblem(await api('PUT', `/api/users/${MISSING_ID}`, { email: 'a@b.co' }), 404);
  });

  it('answers an unexpected error with a 500 that reveals nothing of it', () => {
    const problem = toProblem(new Error('relation "secret_table" does not exist at postgres://u:pw@db'));
    expect(problem).toEqual({
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      detail: 'An unexpected error occurred',
      code: 'INTERNAL_ERROR',
    });
  });

  it('puts the request id in every problem, and echoes a given X-Request-Id', async () => {
    const response = await server.request('GET', `/api/users/${MISSING_ID}`, { headers: { 'x-request-id': 'trace-123' } });
    expect(response.headers.get('x-request-id')).toBe('trace-123');
    expect(response.body.requestId).toBe('trace-123');
    const generated = await api('GET', '/health/live');
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('replaces an X-Request-Id that is not an id', async () => {
    const response = await server.request('GET', '/health/live', { headers: { 'x-request-id': 'x'.repeat(200) } });
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('logs each request with its id and duration, and never the connection URL or password', async () => {
    await server.request('GET', '/api/users', { headers: { 'x-request-id': 'logged-1' } });
    const lines = server.logs.filter((line) => line.reqId === 'logged-1');
    expect(lines.map((line) => line.msg)).toEqual(['incoming request', 'request completed']);
    expect(lines[1]).toMatchObject({ res: { statusCode: 404 }, responseTime: expect.any(Number) });

    const raw = server.rawLogs();
    const url = new URL(testDb.url);
    expect(raw).not.toContain('postgres://');
    if (url.password) expect(raw).not.toContain(url.password);
  });
});
