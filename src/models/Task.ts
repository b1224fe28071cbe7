import type { Model } from 'sequelize-typescript';
import type { User } from './User.js';

/** The columns of a task, as the `Task` model reads them. */
export interface TaskAttributes {
  id: string;
  /** The owner; the task goes when the user does (ON DELETE CASCADE). */
  userId: string;
  /** Trimmed; 1 to 255 characters. */
  title: string;
  /** At most 10,000 characters. */
  description: string | null;
  isCompleted: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** What `db.models.Task.create()` takes: `userId` and `title` are required. */
export interface TaskCreationAttributes {
  id?: string;
  userId: string;
  title: string;
  description?: string | null;
  isCompleted?: boolean;
  createdAt?: Date;
  updatedAt?: Date;
}

/**
 * A task, owned by one user, as an instance of `db.models.Task`. For reads and writes on behalf of
 * a user prefer `db.tasks`, which never crosses from one user's tasks to another's.
 */
export interface Task extends Model<TaskAttributes, TaskCreationAttributes> {
  id: string;
  userId: string;
  title: string;
  description: string | null;
  isCompleted: boolean;
  createdAt: Date;
  updatedAt: Date;
  /** The owner, when loaded with `include`. */
  user?: User;
}
