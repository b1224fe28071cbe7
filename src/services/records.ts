/** A user as the service layer returns it: a plain object, safe to serialise. */
export interface UserRecord {
  /** A UUID (version 7, time-ordered). */
  id: string;
  /** Trimmed and lower-cased. */
  email: string;
  /** A display name; `null` when not given. */
  name: string | null;
  /** When it was created. */
  createdAt: Date;
  /** When it was last changed. */
  updatedAt: Date;
}

/** A task as the service layer returns it. */
export interface TaskRecord {
  /** A UUID (version 7, time-ordered). */
  id: string;
  /** The owner's id. */
  userId: string;
  /** Trimmed; 1 to 255 characters. */
  title: string;
  /** At most 10,000 characters; `null` when not given. */
  description: string | null;
  /** Whether the task is done. */
  isCompleted: boolean;
  /** When it was created. */
  createdAt: Date;
  /** When it was last changed. */
  updatedAt: Date;
}

/** What a caller may give when creating a user. Any other field is a validation error. */
export interface NewUser {
  /** An email address of at most 254 characters; stored trimmed and lower-cased, unique regardless of case. */
  email: string;
  /** A display name of at most 255 characters. Default `null`. */
  name?: string | null;
}

/** What a caller may give when creating a task. Any other field is a validation error. */
export interface NewTask {
  /** 1 to 255 characters after trimming; stored trimmed. */
  title: string;
  /** At most 10,000 characters. Default `null`. */
  description?: string | null;
  /** Default `false`. */
  isCompleted?: boolean;
}

/** The fields a caller may change on a task. Any other field is a validation error; none at all changes nothing and returns the task. */
export interface TaskChanges {
  /** A new title: 1 to 255 characters after trimming. */
  title?: string;
  /** A new description of at most 10,000 characters, or `null` to remove it. */
  description?: string | null;
  /** Marks the task done (`true`) or open again (`false`). */
  isCompleted?: boolean;
}

/** What `tasks.list()` accepts: a page size, where to continue, and a filter. */
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
  /** At most `limit` tasks, newest first. */
  items: TaskRecord[];
  /** Pass as `cursor` to get the next page; `null` on the last page. */
  nextCursor: string | null;
}

/**
 * Users. Every function throws typed errors: `ValidationError` for bad input (before any SQL),
 * `NotFoundError`, `ConflictError` (email taken), `DatabaseUnavailableError`, `QueryTimeoutError`.
 */
export interface UserService {
  /**
   * Creates a user and returns it.
   *
   * @param input - `email` (required) and `name`; any other field is a `ValidationError`.
   * @throws `ValidationError` for bad input (before any SQL); `ConflictError` (field `email`) when the address is taken, whatever its case.
   */
  create(input: NewUser): Promise<UserRecord>;
  /**
   * Reads one user by id.
   *
   * @throws `ValidationError` (field `userId`) when the id is not a UUID, before any SQL; `NotFoundError` (entity `user`) when there is no such user.
   */
  get(userId: string): Promise<UserRecord>;
  /**
   * Reads one user by email address: case-insensitive, surrounding spaces ignored.
   *
   * @throws `ValidationError` (field `email`) when it is not an email address; `NotFoundError` (entity `user`) when no user has it.
   */
  getByEmail(email: string): Promise<UserRecord>;
  /**
   * Deletes the user and, in the same statement, all their tasks.
   *
   * @throws `ValidationError` (field `userId`) when the id is not a UUID; `NotFoundError` (entity `user`) when there is no such user.
   */
  delete(userId: string): Promise<void>;
}

/**
 * Tasks, always on behalf of their owner: every function takes the owner's user id and only
 * ever reads or writes that user's rows. Another user's task id behaves exactly like an id
 * that does not exist (`NotFoundError`).
 */
export interface TaskService {
  /**
   * Creates a task for the user and returns it.
   *
   * @param userId - The owner.
   * @param input - `title` (required), `description` and `isCompleted`; any other field is a `ValidationError`.
   * @throws `ValidationError` for bad input (before any SQL); `NotFoundError` (entity `user`) when the user does not exist.
   */
  create(userId: string, input: NewTask): Promise<TaskRecord>;
  /**
   * Reads one page of the user's tasks, newest first, by keyset pagination: the cost of a page
   * does not grow with its depth. Pass the page's `nextCursor` as `cursor` for the next one.
   *
   * @throws `ValidationError` on `userId`, `limit`, `cursor` or `completed` when they are not valid, before any SQL.
   */
  list(userId: string, options?: ListTasksOptions): Promise<TaskPage>;
  /**
   * Reads one of the user's tasks.
   *
   * @throws `ValidationError` (field `userId` or `taskId`) when an id is not a UUID; `NotFoundError` (entity `task`) when there is no such task, or it is another user's.
   */
  get(userId: string, taskId: string): Promise<TaskRecord>;
  /**
   * Changes the fields given in `changes` on one of the user's tasks and returns the task as
   * stored; empty `changes` change nothing and return the task.
   *
   * @throws `ValidationError` for bad changes or ids (before any SQL); `NotFoundError` (entity `task`) when there is no such task, or it is another user's.
   */
  update(userId: string, taskId: string, changes: TaskChanges): Promise<TaskRecord>;
  /**
   * Deletes one of the user's tasks.
   *
   * @throws `ValidationError` (field `userId` or `taskId`) when an id is not a UUID; `NotFoundError` (entity `task`) when there is no such task, or it is another user's.
   */
  delete(userId: string, taskId: string): Promise<void>;
}
