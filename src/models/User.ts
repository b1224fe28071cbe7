import type { Model } from 'sequelize-typescript';
import type { UserRecord } from '../services/records.js';
import type { Task } from './Task.js';

/** The columns of a user, as the `User` model reads them: the same fields as the service layer's records. */
export type UserAttributes = UserRecord;

/** What `db.models.User.create()` takes: `email` is required, the rest has defaults. */
export type UserCreationAttributes = Pick<UserRecord, 'email'> & Partial<Omit<UserRecord, 'email'>>;

/**
 * A user of the todo service, as an instance of `db.models.User`. Its email is stored trimmed and
 * lower-cased and is unique regardless of case. Deleting a user deletes their tasks (in the
 * database, ON DELETE CASCADE).
 */
export interface User extends Model<UserAttributes, UserCreationAttributes>, Omit<UserRecord, 'id' | 'createdAt' | 'updatedAt'> {
  // Redeclared: Model declares these three loosely (`any`).
  id: string;
  createdAt: Date;
  updatedAt: Date;
  /** The user's tasks, when loaded with `include`. */
  tasks?: Task[];
}
