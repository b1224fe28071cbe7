import type { Model } from 'sequelize-typescript';
import type { TaskRecord } from '../services/records.js';
import type { User } from './User.js';

/** The columns of a task, as the `Task` model reads them: the fields of the service layer's record. */
export type TaskAttributes = TaskRecord;

/** What `db.models.Task.create()` takes: `userId` and `title` are required. */
export interface TaskCreationAttributes {
  /** Default: a new UUID version 7. */
  id?: string;
  /** The owner: an existing user's id. */
  userId: string;
  /** 1 to 255 characters after trimming. */
  title: string;
  /** At most 10,000 characters; default `null`. */
  description?: string | null;
  /** Default `false`. */
  isCompleted?: boolean;
  /** Default: now. */
  createdAt?: Date;
  /** Default: now. */
  updatedAt?: Date;
}

/**
 * A task, owned by one user, as an instance of `db.models.Task`. For reads and writes on behalf of
 * a user prefer `db.tasks`, which never crosses from one user's tasks to another's.
 */
export interface Task extends Model<TaskAttributes, TaskCreationAttributes> {
  /** A UUID (version 7, time-ordered), made by tododb when the row is created. */
  id: string;
  /** The owner's id. */
  userId: string;
  /** Trimmed; 1 to 255 characters. */
  title: string;
  /** At most 10,000 characters; `null` when not given. */
  description: string | null;
  /** Whether the task is done. */
  isCompleted: boolean;
  /** When the row was created (`created_at`). */
  createdAt: Date;
  /** When the row was last changed (`updated_at`). */
  updatedAt: Date;
  /** The owner, when loaded with `include`. */
  user?: User;
}
