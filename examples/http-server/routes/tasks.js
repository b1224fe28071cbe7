// @ts-check
import { listTasksQuery, newTaskBody, task, taskChangesBody, taskPage } from '../schemas.js';

/**
 * A user's tasks under `/users/:userId/tasks`, on tododb's `app.db.tasks`. Every call passes
 * the user id from the path, so a task of another user answers 404 like one that does not exist.
 *
 * @param {import('fastify').FastifyInstance} app
 */
export async function tasksRoutes(app) {
  const { tasks } = app.db;
  app.post('/users/:userId/tasks', { schema: { body: newTaskBody, response: { 201: task } } }, async (request, reply) => {
    const { userId } = /** @type {{ userId: string }} */ (request.params);
    const created = await tasks.create(userId, /** @type {import('tododb').NewTask} */ (request.body));
    return reply
      .code(201)
      .header('location', `${request.url.split('?')[0]}/${created.id}`)
      .send(created);
  });

  app.get('/users/:userId/tasks', { schema: { querystring: listTasksQuery, response: { 200: taskPage } } }, async (request) => {
    const { userId } = /** @type {{ userId: string }} */ (request.params);
    return tasks.list(userId, /** @type {import('tododb').ListTasksOptions} */ (request.query));
  });

  app.get('/users/:userId/tasks/:taskId', { schema: { response: { 200: task } } }, async (request) => {
    const { userId, taskId } = /** @type {{ userId: string, taskId: string }} */ (request.params);
    return tasks.get(userId, taskId);
  });

  app.patch('/users/:userId/tasks/:taskId', { schema: { body: taskChangesBody, response: { 200: task } } }, async (request) => {
    const { userId, taskId } = /** @type {{ userId: string, taskId: string }} */ (request.params);
    return tasks.update(userId, taskId, /** @type {import('tododb').TaskChanges} */ (request.body));
  });

  app.delete('/users/:userId/tasks/:taskId', async (request, reply) => {
    const { userId, taskId } = /** @type {{ userId: string, taskId: string }} */ (request.params);
    await tasks.delete(userId, taskId);
    return reply.code(204).send();
  });
}
