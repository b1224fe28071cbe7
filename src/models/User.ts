import type { Model } from 'sequelize-typescript';
import type { Task } from './Task.js';

/** The columns of a user, as the `User` model reads them. */
export interface UserAttributes {
  id: string;
  /** Stored trimmed and lower-cased; unique regardless of case. */
  email: string;
  name: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** What `db.models.User.create()` takes: `email` is required, the rest has defaults. */
export interface UserCreationAttributes {
  id?: string;
  email: string;
  name?: string | null;
  createdAt?: Date;
  updatedAt?: Date;
}

/**
 * A user of the todo service, as an instance of `db.models.User`. Its email is stored trimmed and
 * lower-cased and is unique regardless of case. Deleting a user deletes their tasks (in the
 * database, ON DELETE CASCADE).
 */
export interface User extends Model<UserAttributes, UserCreationAttributes> {
  id: string;
  email: string;
  name: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** The user's tasks, when loaded with `include`. */
  tasks?: Task[];
}
