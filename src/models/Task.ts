import type { Model } from 'sequelize-typescript';
import type { TaskRecord } from '../services/records.js';
import type { User } from './User.js';

/** The columns of a task, as the `Task` model reads them: the same fields as the service layer's records. */
export type TaskAttributes = TaskRecord;

/** What `db.models.Task.create()` takes: `userId` and `title` are required. */
export type TaskCreationAttributes = Pick<TaskRecord, 'userId' | 'title'> & Partial<Omit<TaskRecord, 'userId' | 'title'>>;

/**
 * A task, owned by one user, as an instance of `db.models.Task`. For reads and writes on behalf of
 * a user prefer `db.tasks`, which never crosses from one user's tasks to another's.
 */
export interface Task extends Model<TaskAttributes, TaskCreationAttributes>, Omit<TaskRecord, 'id' | 'createdAt' | 'updatedAt'> {
  // Redeclared: Model declares these three loosely (`any`).
  id: string;
  createdAt: Date;
  updatedAt: Date;
  /** The owner, when loaded with `include`. */
  user?: User;
}
