// @ts-check
// The JSON schemas of the API, in one place. They check shape and types only: the rules of
// each field and id (UUID shape, length, email shape, trimming) belong to tododb's service
// layer, which checks them before any SQL and answers a ValidationError naming the field, so
// they are written once.

import { LIMITS } from 'tododb';

const nullableString = { type: ['string', 'null'] };
const timestamp = { type: 'string', format: 'date-time' };

export const newUserBody = {
  type: 'object',
  properties: { email: { type: 'string' }, name: nullableString },
  required: ['email'],
  additionalProperties: false,
};

export const newTaskBody = {
  type: 'object',
  properties: { title: { type: 'string' }, description: nullableString, isCompleted: { type: 'boolean' } },
  required: ['title'],
  additionalProperties: false,
};

export const taskChangesBody = {
  type: 'object',
  properties: { title: { type: 'string' }, description: nullableString, isCompleted: { type: 'boolean' } },
  minProperties: 1,
  additionalProperties: false,
};

export const listTasksQuery = {
  type: 'object',
  properties: {
    completed: { type: 'boolean' },
    limit: { type: 'integer', minimum: 1, maximum: LIMITS.pageSizeMax },
    cursor: { type: 'string', minLength: 1, maxLength: LIMITS.cursorMaxLength },
  },
  additionalProperties: false,
};

export const user = {
  type: 'object',
  properties: { id: { type: 'string' }, email: { type: 'string' }, name: nullableString, createdAt: timestamp, updatedAt: timestamp },
  required: ['id', 'email', 'name', 'createdAt', 'updatedAt'],
};

export const task = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    userId: { type: 'string' },
    title: { type: 'string' },
    description: nullableString,
    isCompleted: { type: 'boolean' },
    createdAt: timestamp,
    updatedAt: timestamp,
  },
  required: ['id', 'userId', 'title', 'description', 'isCompleted', 'createdAt', 'updatedAt'],
};

export const taskPage = {
  type: 'object',
  properties: { items: { type: 'array', items: task }, nextCursor: nullableString },
  required: ['items', 'nextCursor'],
};
