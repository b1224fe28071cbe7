// @ts-check
import { sendConsistencyToken } from '../consistencyToken.js';
import { newUserBody, user } from '../schemas.js';

/**
 * `POST /users`, `GET /users/:userId`, `DELETE /users/:userId`, on tododb's `app.db.users`.
 *
 * @param {import('fastify').FastifyInstance} app
 */
export async function usersRoutes(app) {
  const { users } = app.db;
  app.post('/users', { schema: { body: newUserBody, response: { 201: user } } }, async (request, reply) => {
    const created = await users.create(/** @type {import('tododb').NewUser} */ (request.body));
    sendConsistencyToken(app.db, reply, created.id); // the new user is not in the path: the hook cannot see it
    return reply
      .code(201)
      .header('location', `${request.url.split('?')[0]}/${created.id}`)
      .send(created);
  });

  app.get('/users/:userId', { schema: { response: { 200: user } } }, async (request) => {
    const { userId } = /** @type {{ userId: string }} */ (request.params);
    return users.get(userId);
  });

  app.delete('/users/:userId', async (request, reply) => {
    const { userId } = /** @type {{ userId: string }} */ (request.params);
    await users.delete(userId);
    return reply.code(204).send();
  });
}
