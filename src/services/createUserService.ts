import { NotFoundError, ValidationError, type FieldIssue } from '../errors/errors.js';
import { LIMITS, emailProblem, normalizeEmail, textProblem } from '../models/rules.js';
import type { NewUser, UserRecord, UserService } from './records.js';
import type { Query, Statements } from './statements.js';
import { checkShape, requireId, throwIfIssues } from './validateInput.js';

export function createUserService(query: Query, statements: Statements, newId: () => string): UserService {
  const SQL = statements.users;
  return {
    async create(input: NewUser) {
      const { email, name } = parseNewUser(input);
      const id = newId();
      const { rows } = await query<UserRecord>(SQL.insert, [id, email, name], id);
      return rows[0]!;
    },

    async get(userId) {
      const id = requireId(userId, 'userId');
      const { rows } = await query<UserRecord>(SQL.byId, [id], id);
      if (rows.length === 0) throw new NotFoundError('user');
      return rows[0]!;
    },

    async getByEmail(email) {
      const problem = typeof email === 'string' ? emailProblem(normalizeEmail(email)) : 'must be a string';
      if (problem) throw new ValidationError([{ field: 'email', message: problem }]);
      // No user id to check a replica's freshness against: read from the primary.
      const { rows } = await query<UserRecord>(SQL.byEmail, [normalizeEmail(email)], undefined);
      if (rows.length === 0) throw new NotFoundError('user');
      return rows[0]!;
    },

    async delete(userId) {
      const id = requireId(userId, 'userId');
      const { rowCount } = await query(SQL.delete, [id], id);
      if (rowCount === 0) throw new NotFoundError('user');
    },
  };
}

function parseNewUser(input: unknown): { email: string; name: string | null } {
  const { record, issues } = checkShape(input, ['email', 'name']);
  const email = typeof record.email === 'string' ? normalizeEmail(record.email) : undefined;
  const emailIssue = email === undefined ? 'is required and must be a string' : emailProblem(email);
  if (emailIssue) issues.push({ field: 'email', message: emailIssue });
  const name = record.name ?? null;
  const nameIssue =
    name === null ? undefined : typeof name === 'string' ? textProblem(name, LIMITS.nameMaxLength) : 'must be a string or null';
  if (nameIssue) issues.push({ field: 'name', message: nameIssue } satisfies FieldIssue);
  throwIfIssues(issues);
  return { email: email!, name: name as string | null };
}
