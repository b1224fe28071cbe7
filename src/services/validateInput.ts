import { ValidationError, type FieldIssue } from '../errors/errors.js';
import { isUuid } from '../ids/uuidv7.js';

/** Rejects anything but a canonical UUID string, before any SQL is sent. */
export function requireId(value: unknown, field: 'userId' | 'taskId'): string {
  if (!isUuid(value)) {
    throw new ValidationError([{ field, message: 'must be a UUID' }]);
  }
  return value;
}

/**
 * Checks that `input` is an object whose keys are all in `allowed`, and copies what may be
 * read of it: its own enumerable properties, each read once, into an object without a
 * prototype. An inherited property (`Object.create(defaults)`, a class instance's prototype, a
 * polluted `Object.prototype`) is neither a field given nor a value sent to SQL, and a getter
 * cannot answer one value to the check and another to the statement. Returns the issues found
 * so that one error can name every offending field at once.
 */
export function checkShape(input: unknown, allowed: readonly string[]): { record: Record<string, unknown>; issues: FieldIssue[] } {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new ValidationError([{ field: 'body', message: 'must be an object' }]);
  }
  const record: Record<string, unknown> = Object.create(null);
  const issues: FieldIssue[] = [];
  for (const key of Object.keys(input)) {
    if (allowed.includes(key)) {
      record[key] = (input as Record<string, unknown>)[key];
    } else {
      issues.push({ field: key, message: `is not a field you can set (allowed: ${allowed.join(', ')})` });
    }
  }
  return { record, issues };
}

/** Throws one ValidationError for all the issues, if there are any. */
export function throwIfIssues(issues: FieldIssue[]): void {
  if (issues.length > 0) throw new ValidationError(issues);
}
