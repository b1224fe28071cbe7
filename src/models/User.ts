import type { CreationOptional, InferAttributes, InferCreationAttributes } from 'sequelize';
import { Column, CreatedAt, DataType, Default, HasMany, Model, PrimaryKey, Table, UpdatedAt } from 'sequelize-typescript';
import { uuidv7 } from '../ids/uuidv7.js';
import { LIMITS, emailProblem, normalizeEmail, textProblem } from './rules.js';
import { Task } from './Task.js';

/**
 * A user of the todo service. Its email is stored trimmed and lower-cased and is unique
 * regardless of case. Deleting a user deletes their tasks (in the database, ON DELETE CASCADE).
 *
 * Use the bound class from `db.models.User`, never this one directly: each `createDatabase()`
 * binds its own copy.
 */
@Table({ tableName: 'users', underscored: true, timestamps: true })
export class User extends Model<InferAttributes<User, { omit: 'tasks' }>, InferCreationAttributes<User, { omit: 'tasks' }>> {
  @PrimaryKey
  @Default(uuidv7)
  @Column(DataType.UUID)
  declare id: CreationOptional<string>;

  @Column({
    type: DataType.TEXT,
    allowNull: false,
    set(this: User, value: unknown) {
      this.setDataValue('email', typeof value === 'string' ? normalizeEmail(value) : (value as string));
    },
    validate: {
      isValidEmail(value: unknown) {
        const problem = typeof value === 'string' ? emailProblem(value) : 'must be a string';
        if (problem) throw new Error(`email ${problem}`);
      },
    },
  })
  declare email: string;

  @Column({
    type: DataType.TEXT,
    allowNull: true,
    validate: {
      isValidName(value: unknown) {
        // Sequelize runs custom validators on null too, even with allowNull: null means "no name".
        if (value === null || value === undefined) return;
        const problem = typeof value === 'string' ? textProblem(value, LIMITS.nameMaxLength) : 'must be a string';
        if (problem) throw new Error(`name ${problem}`);
      },
    },
  })
  declare name: CreationOptional<string | null>;

  @CreatedAt
  @Column({ type: DataType.DATE(3), allowNull: false })
  declare createdAt: CreationOptional<Date>;

  @UpdatedAt
  @Column({ type: DataType.DATE(3), allowNull: false })
  declare updatedAt: CreationOptional<Date>;

  @HasMany(() => Task, { foreignKey: 'userId', onDelete: 'CASCADE', hooks: false })
  declare tasks?: Task[];
}
