// The mechanisms behind the hot-path and budget goals of issue 9, proved on the real server
// without timing anything (the speed itself is measured by `npm run bench`): the service layer's
// named prepared statements, and one budget of `pool.max` connections for everything a handle does.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { QueryTypes } from 'sequelize';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { checkHealth, createDatabase, createMigrator, type Database } from '../src/index.js';
import { useDatabaseCopy } from './support/testDatabase.js';

const STATEMENT_NAME = /^tododb_[1-9][0-9]*$/;

/** One call of each service function: eight distinct statements. */
async function everyServiceCall(db: Database, tag: string): Promise<void> {
  const user = await db.users.create({ email: `${tag}@example.com` });
  await db.users.get(user.id);
  await db.users.getByEmail(`${tag}@example.com`);
  const task = await db.tasks.create(user.id, { title: 'prepared' });
  await db.tasks.get(user.id, task.id);
  await db.tasks.list(user.id, { limit: 5 });
  await db.tasks.update(user.id, task.id, { isCompleted: true });
  await db.tasks.delete(user.id, task.id);
}

/** The prepared statements of the handle's one connection (pool.max 1), read through that same pool. */
async function preparedOnTheConnection(db: Database): Promise<{ name: string; statement: string }[]> {
  return db.sequelize.query<{ name: string; statement: string }>('SELECT name, statement FROM pg_prepared_statements ORDER BY name', {
    type: QueryTypes.SELECT,
  });
}

describe('the service layer on a direct connection', () => {
  const testDb = useDatabaseCopy();
  const handles: Database[] = [];
  afterAll(async () => {
    for (const db of handles) await db.close();
  });
  const open = (config: Parameters<typeof createDatabase>[0]) => {
    const db = createDatabase({ url: testDb.url, pool: { max: 1 }, ...config }, {});
    handles.push(db);
    return db;
  };

  it('sends named prepared statements, each parsed once per connection', async () => {
    const db = open({});
    await everyServiceCall(db, 'prepared-1');
    const prepared = await preparedOnTheConnection(db);
    expect(prepared.map((row) => row.name)).toEqual(prepared.map(() => expect.stringMatching(STATEMENT_NAME)));
    expect(prepared).toHaveLength(8);
    expect(prepared.every((row) => row.statement.includes('"public".'))).toBe(true);

    // The same calls again reuse the statements: the connection holds no new ones.
    await everyServiceCall(db, 'prepared-2');
    expect(await preparedOnTheConnection(db)).toEqual(prepared);
  });

  it('sends none with preparedStatements: false', async () => {
    const db = open({ preparedStatements: false });
    await everyServiceCall(db, 'unprepared');
    expect(await preparedOnTheConnection(db)).toEqual([]);
  });
});

describe('one budget of pool.max connections', () => {
  const testDb = useDatabaseCopy();

  it('a burst of service calls, model calls, transactions, migrator reads and health checks never holds more than pool.max, plus one probe', async () => {
    const applicationName = `budget_${randomBytes(4).toString('hex')}`;
    const db = createDatabase({ url: testDb.url, pool: { max: 3 }, applicationName }, {});
    const sampler = new pg.Client({ connectionString: inject('serverUrl') });
    await sampler.connect();
    const samples: { pool: number; health: number }[] = [];
    let bursting = true;
    // Sampled from an admin connection while the burst runs: what the server sees, not what the pool reports.
    const sampling = (async () => {
      while (bursting) {
        const { rows } = await sampler.query<{ pool: number; health: number }>(
          `SELECT count(*) FILTER (WHERE application_name = $1)::int AS pool, count(*) FILTER (WHERE application_name = $1 || ':health')::int AS health
             FROM pg_stat_activity WHERE datname = $2`,
          [applicationName, testDb.name],
        );
        samples.push(rows[0]!);
      }
    })();

    const burst = async (round: number) => {
      const user = await db.users.create({ email: `budget-${round}@example.com` });
      const { User, Task } = db.models;
      const hold = (options = {}) => db.sequelize.query('SELECT pg_sleep(0.02)', options);
      await Promise.all([
        ...Array.from({ length: 6 }, (_, k) => db.tasks.create(user.id, { title: `task ${k}` })),
        ...Array.from({ length: 4 }, () => db.tasks.list(user.id)),
        ...Array.from({ length: 4 }, () => Task.count({ where: { userId: user.id } })),
        ...Array.from({ length: 2 }, () => User.findAll({ limit: 5 })),
        ...Array.from({ length: 2 }, () => hold()),
        ...Array.from({ length: 3 }, () =>
          db.transaction(async (tx) => {
            const task = await tx.tasks.create(user.id, { title: 'in a transaction' });
            await tx.models.Task.count({ where: { userId: user.id }, transaction: tx.transaction });
            await hold({ transaction: tx.transaction });
            return task;
          }),
        ),
        createMigrator(db).status(),
        createMigrator(db).pending(),
        checkHealth(db),
      ]);
    };
    try {
      for (let round = 0; round < 5; round++) await burst(round);
    } finally {
      bursting = false;
      await sampling;
      await sampler.end();
      await db.close();
    }

    expect(samples.length).toBeGreaterThan(10);
    // The burst did fill the pool (so the sampling sees what it should), and never went past it.
    expect(Math.max(...samples.map((sample) => sample.pool))).toBe(3);
    expect(Math.max(...samples.map((sample) => sample.health))).toBeLessThanOrEqual(1);
  });
});
