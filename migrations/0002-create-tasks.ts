import { DataTypes } from 'sequelize';
import type { MigrationContext } from '../src/migrator/MigrationContext.js';
import { LIMITS } from '../src/models/rules.js';

// Sequelize's postgres dialect drops the precision of DataTypes.DATE(3) and would create a
// microsecond timestamptz. Rows made through the models carry milliseconds (a JS Date), rows made
// by the now() default would carry microseconds, and a keyset cursor built from a JS Date would
// then skip or repeat rows. Millisecond columns keep both the same.
const TIMESTAMPTZ_MS = 'TIMESTAMP(3) WITH TIME ZONE';

export async function up({ queryInterface, sequelize, transaction }: MigrationContext): Promise<void> {
  await queryInterface.createTable(
    'tasks',
    {
      id: { type: DataTypes.UUID, primaryKey: true, allowNull: false },
      user_id: {
        type: DataTypes.UUID,
        allowNull: false,
        references: { model: 'users', key: 'id' },
        onDelete: 'CASCADE',
        onUpdate: 'CASCADE',
      },
      title: { type: DataTypes.STRING(LIMITS.titleMaxLength), allowNull: false },
      description: { type: DataTypes.TEXT, allowNull: true },
      is_completed: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      created_at: { type: TIMESTAMPTZ_MS, allowNull: false, defaultValue: sequelize.fn('now') },
      updated_at: { type: TIMESTAMPTZ_MS, allowNull: false, defaultValue: sequelize.fn('now') },
    },
    { transaction },
  );
  await queryInterface.addConstraint('tasks', {
    type: 'check',
    name: 'tasks_title_not_empty_check',
    fields: ['title'],
    // Not blank either: the models trim, and a title of spaces written by plain SQL would
    // break the rule "1 to 255 characters after trimming" behind their back.
    where: sequelize.literal(`char_length(title) >= 1 AND title ~ '[^[:space:]]'`),
    transaction,
  });
  await queryInterface.addConstraint('tasks', {
    type: 'check',
    name: 'tasks_description_length_check',
    fields: ['description'],
    where: sequelize.literal(`char_length(description) <= ${LIMITS.descriptionMaxLength}`),
    transaction,
  });
  // "This user's tasks, newest first" with a keyset cursor on (created_at, id). Led by
  // user_id, it also serves the foreign key's ON DELETE CASCADE.
  await queryInterface.addIndex('tasks', {
    name: 'tasks_user_id_created_at_id_idx',
    fields: ['user_id', { name: 'created_at', order: 'DESC' }, { name: 'id', order: 'DESC' }],
    transaction,
  });
  // The same list filtered by completion, without scanning the other half of the user's tasks.
  await queryInterface.addIndex('tasks', {
    name: 'tasks_user_id_is_completed_created_at_id_idx',
    fields: ['user_id', 'is_completed', { name: 'created_at', order: 'DESC' }, { name: 'id', order: 'DESC' }],
    transaction,
  });
}

export async function down({ queryInterface, transaction }: MigrationContext): Promise<void> {
  await queryInterface.dropTable('tasks', { transaction });
}
