// @ts-check

/**
 * The header that carries a user's read-your-writes token between the client and whichever
 * instance of the server answers it (see tododb's README, "Read replicas").
 */
export const CONSISTENCY_TOKEN_HEADER = 'tododb-consistency-token';

/**
 * Read-your-writes across instances, for a server with read replicas (`DATABASE_REPLICA_URLS`):
 * a response to a write for a user carries `Tododb-Consistency-Token`, and a request that sends
 * it back makes that user's reads on any instance wait for the write (a replica that has
 * replayed it, or the primary). Within one instance tododb does this by itself; the header is
 * for a client whose next request may land on another instance. Without replicas no token is
 * sent, and one received is checked and ignored. A malformed token is a 400.
 *
 * Routes under `/users/:userId` are handled here; a route that writes for a user not in its
 * path (creating a user) calls {@link sendConsistencyToken} itself.
 *
 * @param {import('fastify').FastifyInstance} api
 */
export function registerConsistencyToken(api) {
  api.addHook('preHandler', async (request) => {
    const token = request.headers[CONSISTENCY_TOKEN_HEADER];
    const userId = userIdOf(request);
    if (typeof token === 'string' && userId !== undefined) api.db.readYourWrites.observe(userId, token);
  });
  api.addHook('onSend', async (request, reply, payload) => {
    const userId = userIdOf(request);
    if (request.method !== 'GET' && request.method !== 'HEAD' && reply.statusCode < 300 && userId !== undefined) {
      sendConsistencyToken(api.db, reply, userId);
    }
    return payload;
  });
}

/**
 * Sets `Tododb-Consistency-Token` on `reply` for `userId`'s writes so far, when there is one.
 *
 * @param {import('tododb').Database} db
 * @param {import('fastify').FastifyReply} reply
 * @param {string} userId
 */
export function sendConsistencyToken(db, reply, userId) {
  const token = db.readYourWrites.tokenFor(userId);
  if (token !== undefined) reply.header(CONSISTENCY_TOKEN_HEADER, token);
}

/** @param {import('fastify').FastifyRequest} request */
function userIdOf(request) {
  const params = /** @type {{ userId?: unknown } | undefined} */ (request.params);
  return typeof params?.userId === 'string' ? params.userId : undefined;
}
