import type { CreationOptional, ForeignKey as ForeignKeyType, InferAttributes, InferCreationAttributes } from 'sequelize';
import { BelongsTo, Column, CreatedAt, DataType, Default, ForeignKey, Model, PrimaryKey, Table, UpdatedAt } from 'sequelize-typescript';
import { uuidv7 } from '../ids/uuidv7.js';
import { LIMITS, textProblem, titleProblem } from './rules.js';
import { User } from './User.js';

/**
 * A task, owned by one user. `title` is trimmed and must keep 1 to 255 characters;
 * `description` holds at most 10,000.
 *
 * Use the bound class from `db.models.Task`; for reads and writes on behalf of a user prefer
 * `db.tasks`, which never crosses from one user's tasks to another's.
 */
@Table({ tableName: 'tasks', underscored: true, timestamps: true })
export class Task extends Model<InferAttributes<Task, { omit: 'user' }>, InferCreationAttributes<Task, { omit: 'user' }>> {
  @PrimaryKey
  @Default(uuidv7)
  @Column(DataType.UUID)
  declare id: CreationOptional<string>;

  @ForeignKey(() => User)
  @Column({ type: DataType.UUID, allowNull: false })
  declare userId: ForeignKeyType<string>;

  @Column({
    type: DataType.STRING(LIMITS.titleMaxLength),
    allowNull: false,
    set(this: Task, value: unknown) {
      this.setDataValue('title', typeof value === 'string' ? value.trim() : (value as string));
    },
    validate: {
      isValidTitle(value: unknown) {
        const problem = typeof value === 'string' ? titleProblem(value) : 'must be a string';
        if (problem) throw new Error(`title ${problem}`);
      },
    },
  })
  declare title: string;

  @Column({
    type: DataType.TEXT,
    allowNull: true,
    validate: {
      isValidDescription(value: unknown) {
        // Sequelize runs custom validators on null too, even with allowNull: null means "no description".
        if (value === null || value === undefined) return;
        const problem = typeof value === 'string' ? textProblem(value, LIMITS.descriptionMaxLength) : 'must be a string';
        if (problem) throw new Error(`description ${problem}`);
      },
    },
  })
  declare description: CreationOptional<string | null>;

  @Default(false)
  @Column({ type: DataType.BOOLEAN, allowNull: false })
  declare isCompleted: CreationOptional<boolean>;

  @CreatedAt
  @Column({ type: DataType.DATE(3), allowNull: false })
  declare createdAt: CreationOptional<Date>;

  @UpdatedAt
  @Column({ type: DataType.DATE(3), allowNull: false })
  declare updatedAt: CreationOptional<Date>;

  @BelongsTo(() => User, { foreignKey: 'userId', onDelete: 'CASCADE' })
  declare user?: User;
}
