import type * as SequelizeTypescript from 'sequelize-typescript';
import type { ModelCtor } from 'sequelize-typescript';
import { uuidv7 } from '../ids/uuidv7.js';
import { TABLES } from '../schema/names.js';
import { LIMITS, emailProblem, normalizeEmail, textProblem, titleProblem } from './rules.js';
import { ruleValidator } from './ruleValidator.js';
import type { Task as TaskInstance, TaskAttributes, TaskCreationAttributes } from './Task.js';
import type { User as UserInstance, UserAttributes, UserCreationAttributes } from './User.js';

/** The model classes of one database handle. */
export interface Models {
  /** The `User` model (table `users`), bound to this handle's database. */
  User: ModelCtor<UserInstance>;
  /** The `Task` model (table `tasks`), bound to this handle's database. */
  Task: ModelCtor<TaskInstance>;
}

/**
 * Defines the `User` and `Task` classes of one database handle, in `schema`. A function rather
 * than module-level classes for two reasons: sequelize-typescript is loaded only when a handle
 * first uses its models (a service that only calls `db.users` / `db.tasks` never pays for it),
 * and each handle gets classes of its own, bound to its own Sequelize instance.
 */
export function defineModels(st: typeof SequelizeTypescript, schema: string): Models {
  const { BelongsTo, Column, CreatedAt, DataType, Default, ForeignKey, HasMany, Model, PrimaryKey, Table, UpdatedAt } = st;
  // created_at and updated_at of both tables: timestamp(3) with time zone, as the migrations make
  // them, so that a row keeps exactly the milliseconds of the JS Date it was written with (which
  // keyset cursors compare). A new options object and type for each column, as when written out.
  const timestampColumn = () => ({ type: DataType.DATE(3), allowNull: false });

  @Table({ tableName: TABLES.users, schema, underscored: true, timestamps: true })
  class User extends Model<UserAttributes, UserCreationAttributes> {
    @PrimaryKey
    @Default(uuidv7)
    @Column(DataType.UUID)
    declare id: string;

    @Column({
      type: DataType.TEXT,
      allowNull: false,
      set(this: User, value: unknown) {
        this.setDataValue('email', typeof value === 'string' ? normalizeEmail(value) : (value as string));
      },
      validate: { isValidEmail: ruleValidator('email', emailProblem) },
    })
    declare email: string;

    @Column({
      type: DataType.TEXT,
      allowNull: true,
      validate: { isValidName: ruleValidator('name', (value) => textProblem(value, LIMITS.nameMaxLength), { nullable: true }) },
    })
    declare name: string | null;

    @CreatedAt
    @Column(timestampColumn())
    declare createdAt: Date;

    @UpdatedAt
    @Column(timestampColumn())
    declare updatedAt: Date;

    @HasMany(() => Task, { foreignKey: 'userId', onDelete: 'CASCADE', hooks: false })
    declare tasks?: Task[];
  }

  @Table({ tableName: TABLES.tasks, schema, underscored: true, timestamps: true })
  class Task extends Model<TaskAttributes, TaskCreationAttributes> {
    @PrimaryKey
    @Default(uuidv7)
    @Column(DataType.UUID)
    declare id: string;

    @ForeignKey(() => User)
    @Column({ type: DataType.UUID, allowNull: false })
    declare userId: string;

    @Column({
      type: DataType.STRING(LIMITS.titleMaxLength),
      allowNull: false,
      set(this: Task, value: unknown) {
        this.setDataValue('title', typeof value === 'string' ? value.trim() : (value as string));
      },
      validate: { isValidTitle: ruleValidator('title', titleProblem) },
    })
    declare title: string;

    @Column({
      type: DataType.TEXT,
      allowNull: true,
      validate: {
        isValidDescription: ruleValidator('description', (value) => textProblem(value, LIMITS.descriptionMaxLength), { nullable: true }),
      },
    })
    declare description: string | null;

    @Default(false)
    @Column({ type: DataType.BOOLEAN, allowNull: false })
    declare isCompleted: boolean;

    @CreatedAt
    @Column(timestampColumn())
    declare createdAt: Date;

    @UpdatedAt
    @Column(timestampColumn())
    declare updatedAt: Date;

    @BelongsTo(() => User, { foreignKey: 'userId', onDelete: 'CASCADE' })
    declare user?: User;
  }

  return { User: User as unknown as ModelCtor<UserInstance>, Task: Task as unknown as ModelCtor<TaskInstance> };
}
