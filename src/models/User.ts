import type { Model } from 'sequelize-typescript';
import type { UserRecord } from '../services/records.js';
import type { Task } from './Task.js';

/** The columns of a user, as the `User` model reads them: the fields of the service layer's record. */
export type UserAttributes = UserRecord;

/** What `db.models.User.create()` takes: `email` is required, the rest has defaults. */
export interface UserCreationAttributes {
  /** Default: a new UUID version 7. */
  id?: string;
  /** At most 254 characters; stored trimmed and lower-cased. */
  email: string;
  /** Default `null`. */
  name?: string | null;
  /** Default: now. */
  createdAt?: Date;
  /** Default: now. */
  updatedAt?: Date;
}

/**
 * A user of the todo service, as an instance of `db.models.User`. Its email is stored trimmed and
 * lower-cased and is unique regardless of case. Deleting a user deletes their tasks (in the
 * database, ON DELETE CASCADE).
 */
export interface User extends Model<UserAttributes, UserCreationAttributes> {
  /** A UUID (version 7, time-ordered), made by tododb when the row is created. */
  id: string;
  /** Stored trimmed and lower-cased; unique regardless of case. */
  email: string;
  /** A display name; `null` when not given. */
  name: string | null;
  /** When the row was created (`created_at`). */
  createdAt: Date;
  /** When the row was last changed (`updated_at`). */
  updatedAt: Date;
  /** The user's tasks, when loaded with `include`. */
  tasks?: Task[];
}
