/** A user as the service layer returns it: a plain object, safe to serialise. */
export interface UserRecord {
  id: string;
  /** Trimmed and lower-cased. */
  email: string;
  name: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A task as the service layer returns it. */
export interface TaskRecord {
  id: string;
  userId: string;
  title: string;
  description: string | null;
  isCompleted: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** What a caller may give when creating a user. Any other field is a validation error. */
export interface NewUser {
  email: string;
  name?: string | null;
}

/** What a caller may give when creating a task. Any other field is a validation error. */
export interface NewTask {
  title: string;
  description?: string | null;
  isCompleted?: boolean;
}

/** The fields a caller may change on a task. Any other field is a validation error; none at all changes nothing and returns the task. */
export interface TaskChanges {
  title?: string;
  description?: string | null;
  isCompleted?: boolean;
}

export interface ListTasksOptions {
  /** Page size, 1 to 100. Default 20. */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string | null;
  /** Only completed (`true`) or only open (`false`) tasks. */
  completed?: boolean;
}

/** One page of a user's tasks, newest first. */
export interface TaskPage {
  items: TaskRecord[];
  /** Pass as `cursor` to get the next page; `null` on the last page. */
  nextCursor: string | null;
}

/**
 * Users. Every function throws typed errors: `ValidationError` for bad input (before any SQL),
 * `NotFoundError`, `ConflictError` (email taken), `DatabaseUnavailableError`, `QueryTimeoutError`.
 */
export interface UserService {
  create(input: NewUser): Promise<UserRecord>;
  get(userId: string): Promise<UserRecord>;
  /** Case-insensitive, surrounding spaces ignored. */
  getByEmail(email: string): Promise<UserRecord>;
  /** Deletes the user and, in the same statement, all their tasks. */
  delete(userId: string): Promise<void>;
}

/**
 * Tasks, always on behalf of their owner: every function takes the owner's user id and only
 * ever reads or writes that user's rows. Another user's task id behaves exactly like an id
 * that does not exist (`NotFoundError`).
 */
export interface TaskService {
  /** Throws `NotFoundError` (entity `user`) when the user does not exist. */
  create(userId: string, input: NewTask): Promise<TaskRecord>;
  /** Newest first, by keyset pagination: the cost of a page does not grow with its depth. */
  list(userId: string, options?: ListTasksOptions): Promise<TaskPage>;
  get(userId: string, taskId: string): Promise<TaskRecord>;
  update(userId: string, taskId: string, changes: TaskChanges): Promise<TaskRecord>;
  delete(userId: string, taskId: string): Promise<void>;
}
