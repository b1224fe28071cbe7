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
    'users',
    {
      id: { type: DataTypes.UUID, primaryKey: true, allowNull: false },
      email: { type: DataTypes.TEXT, allowNull: false },
      name: { type: DataTypes.TEXT, allowNull: true },
      created_at: { type: TIMESTAMPTZ_MS, allowNull: false, defaultValue: sequelize.fn('now') },
      updated_at: { type: TIMESTAMPTZ_MS, allowNull: false, defaultValue: sequelize.fn('now') },
    },
    { transaction },
  );
  // The database is the last wall: an email written by plain SQL must be normalised too.
  await queryInterface.addConstraint('users', {
    type: 'check',
    name: 'users_email_normalized_check',
    fields: ['email'],
    where: sequelize.literal(`email = lower(btrim(email)) AND char_length(email) BETWEEN 1 AND ${LIMITS.emailMaxLength}`),
    transaction,
  });
  // Unique regardless of case, and the index that serves lookups by email.
  await queryInterface.addIndex('users', {
    name: 'users_email_lower_key',
    unique: true,
    fields: [sequelize.fn('lower', sequelize.col('email'))],
    transaction,
  });
}

export async function down({ queryInterface, transaction }: MigrationContext): Promise<void> {
  await queryInterface.dropTable('users', { transaction });
}
