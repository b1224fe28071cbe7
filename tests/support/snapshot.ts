import { QueryTypes } from 'sequelize';
import type { Database } from '../../src/index.js';

/** Every row of both tables, in a stable order: to prove that a call changed nothing. */
export async function snapshot(db: Database): Promise<{ users: unknown[]; tasks: unknown[] }> {
  const users = await db.sequelize.query(`SELECT * FROM users ORDER BY id`, { type: QueryTypes.SELECT });
  const tasks = await db.sequelize.query(`SELECT * FROM tasks ORDER BY id`, { type: QueryTypes.SELECT });
  return { users, tasks };
}
