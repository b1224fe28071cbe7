// @ts-check
import { STATUS_CODES } from 'node:http';

/** Seconds a client should wait before retrying when the database is unavailable. */
const RETRY_AFTER_SECONDS = 5;

// Problem types of this API, one row per tododb error code. The `type` URIs are tag URIs
// (RFC 4151): stable identifiers that are not meant to be fetched. Errors that only mean
// their HTTP status use `about:blank`, as RFC 9457 suggests.
const PROBLEMS = {
  VALIDATION_FAILED: { type: 'tag:tododb,2026:problems/validation-failed', title: 'The request is invalid', status: 400 },
  NOT_FOUND: { type: 'tag:tododb,2026:problems/not-found', title: 'Not found', status: 404 },
  CONFLICT: { type: 'tag:tododb,2026:problems/conflict', title: 'Conflict', status: 409 },
  DATABASE_UNAVAILABLE: { type: 'tag:tododb,2026:problems/database-unavailable', title: 'The database is unavailable', status: 503 },
  QUERY_TIMEOUT: { type: 'tag:tododb,2026:problems/query-timeout', title: 'The database did not answer in time', status: 503 },
  // Not one of tododb's codes: the server's own state while it starts (see databasePlugin.js).
  NOT_READY: { type: 'tag:tododb,2026:problems/not-ready', title: 'The service is not ready yet', status: 503 },
};

/** @type {Record<string, string>} */
const PARTS = { body: 'request body', querystring: 'query string', params: 'path' };

/**
 * @typedef {object} Problem An RFC 9457 problem details object, with this API's extensions.
 * @property {string} type
 * @property {string} title
 * @property {number} status
 * @property {string} detail
 * @property {string} [code]       The stable error code, e.g. `NOT_FOUND`.
 * @property {{field: string, message: string}[]} [errors] The offending fields of a 400.
 */

/**
 * Makes every error answer of `app` a problem details document (`application/problem+json`):
 * tododb's typed errors, Fastify's schema validation and parsing errors, unknown routes and
 * anything unexpected (a 500 that reveals nothing but the request id).
 *
 * @param {import('fastify').FastifyInstance} app
 */
export function registerProblemDetails(app) {
  app.setErrorHandler((error, request, reply) => {
    const problem = toProblem(error);
    if (problem.status >= 500 && !isKnownUnavailable(error)) {
      request.log.error({ err: error }, 'unexpected error');
    } else if (problem.status >= 500) {
      request.log.warn({ code: problem.code, reason: problem.detail }, 'database unavailable');
    }
    return sendProblem(reply, problem);
  });

  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, {
      type: 'about:blank',
      title: STATUS_CODES[404] ?? 'Not Found',
      status: 404,
      detail: `No route for ${request.method} ${request.url.split('?')[0]}`,
      code: 'ROUTE_NOT_FOUND',
    }),
  );
}

/**
 * Fastify's `frameworkErrors` option: errors of the router, raised before any route runs (a
 * path that is not valid percent-encoding, a path parameter longer than 100 characters). They
 * answer 400, like any other id that cannot be one.
 *
 * @type {NonNullable<import('fastify').FastifyServerOptions['frameworkErrors']>}
 */
export function sendFrameworkProblem(error, _request, reply) {
  const detail = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'A path parameter is too long' : 'The path is not valid';
  sendProblem(reply, { type: 'about:blank', title: STATUS_CODES[400] ?? 'Bad Request', status: 400, detail, code: 'BAD_REQUEST' });
}

/**
 * Sends `problem` as `application/problem+json`, with the request id; a 503 also gets
 * `Retry-After`, since it always means "try again shortly".
 *
 * @param {import('fastify').FastifyReply} reply
 * @param {Problem} problem
 */
export function sendProblem(reply, problem) {
  if (problem.status === 503) reply.header('retry-after', String(RETRY_AFTER_SECONDS));
  return reply
    .code(problem.status)
    .type('application/problem+json')
    .send({ ...problem, requestId: reply.request.id });
}

/**
 * The 503 of a server that is up but cannot serve yet (its migrations are not applied).
 *
 * @param {string} reason Why, in a few words; never a secret.
 * @returns {Problem}
 */
export function notReadyProblem(reason) {
  return { ...PROBLEMS.NOT_READY, detail: `Cannot serve yet: ${reason}`, code: 'NOT_READY' };
}

/**
 * @param {any} error
 * @returns {Problem}
 */
export function toProblem(error) {
  if (Array.isArray(error?.validation)) {
    return {
      ...PROBLEMS.VALIDATION_FAILED,
      detail: `The ${PARTS[error.validationContext] ?? 'request'} is invalid`,
      code: 'VALIDATION_FAILED',
      errors: error.validation.map(/** @param {any} issue */ (issue) => fieldIssue(issue, error.validationContext)),
    };
  }
  const code = error?.code;
  const known = code === undefined ? undefined : PROBLEMS[/** @type {keyof typeof PROBLEMS} */ (code)];
  if (known) {
    return {
      ...known,
      detail: String(error.message),
      code: error.code,
      ...(error.code === 'VALIDATION_FAILED' ? { errors: [...error.issues] } : {}),
      ...(error.code === 'CONFLICT' ? { errors: [{ field: error.field, message: String(error.message) }] } : {}),
    };
  }
  // Fastify's own client errors: a body that is not JSON, too large, of the wrong type, …
  const status = Number(error?.statusCode);
  if (Number.isInteger(status) && status >= 400 && status < 500) {
    const title = STATUS_CODES[status] ?? 'Bad Request';
    return { type: 'about:blank', title, status, detail: String(error.message), code: title.toUpperCase().replace(/\W+/g, '_') };
  }
  return {
    type: 'about:blank',
    title: STATUS_CODES[500] ?? 'Internal Server Error',
    status: 500,
    detail: 'An unexpected error occurred',
    code: 'INTERNAL_ERROR',
  };
}

/** @param {any} error */
function isKnownUnavailable(error) {
  return error?.code === 'DATABASE_UNAVAILABLE' || error?.code === 'QUERY_TIMEOUT';
}

// Turns one AJV error into {field, message}: `additionalProperties` and `required` name the
// property in their params, the others in the instance path.
/**
 * @param {any} issue
 * @param {string | undefined} context
 */
function fieldIssue(issue, context) {
  if (issue.keyword === 'additionalProperties') {
    return { field: String(issue.params.additionalProperty), message: 'is not allowed' };
  }
  if (issue.keyword === 'required') {
    return { field: String(issue.params.missingProperty), message: 'is required' };
  }
  if (issue.keyword === 'minProperties') {
    return {
      field: context ?? 'body',
      message: `must set at least one of ${Object.keys(issue.parentSchema?.properties ?? {}).join(', ')}`,
    };
  }
  const path = String(issue.instancePath ?? '')
    .replace(/^\//, '')
    .replaceAll('/', '.');
  return { field: path || context || 'body', message: String(issue.message ?? 'is invalid') };
}
