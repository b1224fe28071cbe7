// db.transaction() as a user meets it: what commits, what rolls back, what joins, what is refused,
// and what a serialization conflict or a killed connection does to it. Every check of what was
// committed reads through a connection of its own, outside the handle under test.
import { QueryTypes } from 'sequelize';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  createDatabase,
  DatabaseUnavailableError,
  NotFoundError,
  SerializationFailureError,
  TransactionError,
  type Database,
  type DatabaseTransaction,
  translateError,
  type TransactionOptions,
} from '../src/index.js';
import { freePort } from './support/embeddedPostgres.js';
import { admin, useTestDatabase } from './support/testDatabase.js';

/** What a promise rejected with (fails the test when it resolves). */
function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => expect.fail(`expected a rejection, got ${JSON.stringify(value)}`),
    (error: unknown) => error,
  );
}

/** A promise and the function that resolves it, to order events without sleeping. */
function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Helpers that read the committed state of a test database through a connection of their own. */
function committed(url: () => string) {
  const read = async <Row extends Record<string, unknown>>(sql: string, values: unknown[]): Promise<Row[]> =>
    admin(url(), async (client) => (await client.query<Row>(sql, values)).rows);
  return {
    /** How many users with this email are committed. */
    users: async (email: string) => (await read<{ n: number }>(`SELECT count(*)::int AS n FROM users WHERE email = $1`, [email]))[0]!.n,
    /** The committed titles of a user's tasks, sorted. */
    titles: async (userId: string) =>
      (await read<{ title: string }>(`SELECT title FROM tasks WHERE user_id = $1 ORDER BY title`, [userId])).map((row) => row.title),
    /** How many tasks with this title are committed, whoever owns them. */
    tasksTitled: async (title: string) =>
      (await read<{ n: number }>(`SELECT count(*)::int AS n FROM tasks WHERE title = $1`, [title]))[0]!.n,
  };
}

/** A service call a helper function makes: it only knows the handle, not the transaction. */
function addTask(db: Database, userId: string, title: string) {
  return db.tasks.create(userId, { title });
}

/** The isolation level the current transaction really runs at, asked of the server through the model layer. */
async function isolationOf(db: Database, tx: DatabaseTransaction): Promise<string> {
  const rows = await db.sequelize.query<{ transaction_isolation: string }>('SHOW transaction_isolation', {
    transaction: tx.transaction,
    type: QueryTypes.SELECT,
  });
  return rows[0]!.transaction_isolation;
}

describe('db.transaction() commits and rolls back', () => {
  const t = useTestDatabase();
  const outside = committed(() => t.testDb.url);

  it('commits both writes when the callback resolves, not before, and returns the callback’s value', async () => {
    const result = await t.db.transaction(async (tx) => {
      const user = await tx.users.create({ email: 'commit@example.com' });
      const task = await tx.tasks.create(user.id, { title: 'first' });
      expect(await outside.users('commit@example.com')).toBe(0);
      return { user, task, marker: 42 };
    });
    expect(result.marker).toBe(42);
    expect(await outside.users('commit@example.com')).toBe(1);
    expect(await outside.titles(result.user.id)).toEqual(['first']);
    expect(await t.db.tasks.get(result.user.id, result.task.id)).toEqual(result.task);
  });

  it('rolls back both writes when the callback throws, and rethrows the very same error', async () => {
    const failure = new Error('changed my mind');
    let userId = '';
    const error = await rejection(
      t.db.transaction(async (tx) => {
        const user = await tx.users.create({ email: 'rollback@example.com' });
        userId = user.id;
        await tx.tasks.create(user.id, { title: 'never kept' });
        throw failure;
      }),
    );
    expect(error).toBe(failure);
    expect(await outside.users('rollback@example.com')).toBe(0);
    expect(await outside.titles(userId)).toEqual([]);
    await expect(t.db.users.get(userId)).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('models inside db.transaction()', () => {
  const t = useTestDatabase();
  const outside = committed(() => t.testDb.url);

  it('a model call with { transaction: tx.transaction } commits and rolls back with it', async () => {
    const kept = await t.db.transaction(async (tx) => {
      const user = await tx.users.create({ email: 'models-kept@example.com' });
      await tx.models.Task.create({ userId: user.id, title: 'by the model' }, { transaction: tx.transaction });
      return user;
    });
    expect(await outside.titles(kept.id)).toEqual(['by the model']);

    const failure = new Error('undo');
    await expect(
      t.db.transaction(async (tx) => {
        await tx.models.Task.create({ userId: kept.id, title: 'model, rolled back' }, { transaction: tx.transaction });
        // The service layer sees the model's write: one transaction, one connection.
        expect((await tx.tasks.list(kept.id)).items.map((task) => task.title).sort()).toEqual(['by the model', 'model, rolled back']);
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await outside.titles(kept.id)).toEqual(['by the model']);
  });

  it('a model call without { transaction } inside the callback joins the transaction too', async () => {
    const failure = new Error('undo');
    let userId = '';
    await expect(
      t.db.transaction(async (tx) => {
        const user = await t.db.models.User.create({ email: 'models-joined@example.com' });
        userId = user.id;
        // Had the model call committed on a connection of its own, this would still be visible after the rollback.
        expect((await tx.users.get(user.id)).email).toBe('models-joined@example.com');
        await t.db.models.Task.create({ userId: user.id, title: 'joined' });
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await outside.users('models-joined@example.com')).toBe(0);
    expect(await outside.titles(userId)).toEqual([]);
  });

  it('refuses tx.transaction.commit() and rollback() with TRANSACTION_MISUSE, and the transaction carries on to commit', async () => {
    const user = await t.db.transaction(async (tx) => {
      const created = await tx.users.create({ email: 'models-commit@example.com' });
      const commit = await rejection(tx.transaction.commit());
      expect(commit).toBeInstanceOf(TransactionError);
      expect(commit).toMatchObject({ code: 'TRANSACTION_MISUSE' });
      expect(await rejection(tx.transaction.rollback())).toMatchObject({ code: 'TRANSACTION_MISUSE' });
      await tx.tasks.create(created.id, { title: 'after the refusals' });
      return created;
    });
    expect(await outside.titles(user.id)).toEqual(['after the refusals']);
  });

  it('refuses a Sequelize transaction started inside the callback, managed or not, and it writes nothing', async () => {
    const user = await t.db.users.create({ email: 'models-sequelize-tx@example.com' });
    await t.db.transaction(async () => {
      const managed = await rejection(
        t.db.sequelize.transaction(async (transaction) => t.db.models.Task.create({ userId: user.id, title: 'managed' }, { transaction })),
      );
      expect(managed).toBeInstanceOf(TransactionError);
      expect(managed).toMatchObject({ code: 'TRANSACTION_MISUSE' });
      expect(await rejection(t.db.sequelize.transaction())).toMatchObject({ code: 'TRANSACTION_MISUSE' });
    });
    expect(await outside.titles(user.id)).toEqual([]);
  });

  it('runs afterCommit hooks of tx.transaction once the commit is visible to others, and not after a rollback', async () => {
    const seen: number[] = [];
    await t.db.transaction(async (tx) => {
      await tx.users.create({ email: 'hook-commit@example.com' });
      tx.transaction.afterCommit(async () => {
        seen.push(await outside.users('hook-commit@example.com'));
      });
    });
    expect(seen).toEqual([1]);

    let ranAfterRollback = false;
    const failure = new Error('undo');
    await expect(
      t.db.transaction(async (tx) => {
        await tx.users.create({ email: 'hook-rollback@example.com' });
        tx.transaction.afterCommit(() => {
          ranAfterRollback = true;
        });
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(ranAfterRollback).toBe(false);
  });
});

describe('db.users and db.tasks inside the callback', () => {
  const t = useTestDatabase();
  const outside = committed(() => t.testDb.url);

  it('join the transaction, also from a helper that only knows db, and roll back with it', async () => {
    const failure = new Error('undo');
    let userId = '';
    await expect(
      t.db.transaction(async (tx) => {
        const user = await t.db.users.create({ email: 'joined@example.com' });
        userId = user.id;
        // On a connection of its own the helper could not see the uncommitted user (NotFoundError).
        await addTask(t.db, user.id, 'from the helper');
        await tx.tasks.create(user.id, { title: 'through tx' });
        expect((await t.db.tasks.list(user.id)).items.map((task) => task.title).sort()).toEqual(['from the helper', 'through tx']);
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await outside.users('joined@example.com')).toBe(0);
    expect(await outside.titles(userId)).toEqual([]);
  });

  it('commit with it', async () => {
    const user = await t.db.transaction(async () => {
      const created = await t.db.users.create({ email: 'joined-commit@example.com' });
      await addTask(t.db, created.id, 'kept');
      expect(await outside.users('joined-commit@example.com')).toBe(0);
      return created;
    });
    expect(await outside.titles(user.id)).toEqual(['kept']);
  });
});

describe('with pool: { max: 1 }', () => {
  // The one connection is held by the transaction, so anything that wanted a second one would
  // wait in vain: with a short acquire timeout (not the default 15 s; still room to open a
  // connection on a busy machine) it fails with DatabaseUnavailableError within the test.
  const t = useTestDatabase({ pool: { max: 1, acquireTimeoutMs: 2000 } });
  const outside = committed(() => t.testDb.url);

  it('runs services, db.* calls, helpers, models, savepoints and hooks on the one connection', async () => {
    const afterCommit: string[] = [];
    const user = await t.db.transaction(async (tx) => {
      const created = await tx.users.create({ email: 'one@example.com' });
      await t.db.tasks.create(created.id, { title: 'db.tasks' });
      await addTask(t.db, created.id, 'helper');
      await tx.models.Task.create({ userId: created.id, title: 'model with transaction' }, { transaction: tx.transaction });
      await t.db.models.Task.create({ userId: created.id, title: 'model without' });
      await t.db.transaction(async (inner) => {
        await inner.tasks.create(created.id, { title: 'savepoint' });
      });
      await rejection(
        t.db.transaction(async (inner) => {
          await inner.tasks.create(created.id, { title: 'savepoint, rolled back' });
          throw new Error('inner');
        }),
      );
      expect(await isolationOf(t.db, tx)).toBe('read committed');
      tx.transaction.afterCommit(async () => {
        // The connection is back in the pool by now: a call here must not wait for it.
        afterCommit.push((await t.db.users.get(created.id)).email);
      });
      return created;
    });
    expect(afterCommit).toEqual(['one@example.com']);
    expect(await outside.titles(user.id)).toEqual(['db.tasks', 'helper', 'model with transaction', 'model without', 'savepoint']);

    const failure = new Error('undo');
    await expect(
      t.db.transaction(async () => {
        await t.db.tasks.create(user.id, { title: 'rolled back' });
        await t.db.models.Task.create({ userId: user.id, title: 'rolled back too' });
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await outside.titles(user.id)).toHaveLength(5);
    expect(t.db.stats()).toMatchObject({ max: 1, inUse: 0, waiting: 0 });
  });
});

describe('after the callback returned', () => {
  const t = useTestDatabase();
  const outside = committed(() => t.testDb.url);

  it('a call through a kept tx rejects with TRANSACTION_FINISHED and writes nothing', async () => {
    const owner = await t.db.users.create({ email: 'owner@example.com' });
    const afterCommit = await t.db.transaction(async (tx) => tx);
    const failure = new Error('undo');
    let afterRollback: DatabaseTransaction | undefined;
    await rejection(
      t.db.transaction(async (tx) => {
        afterRollback = tx;
        throw failure;
      }),
    );
    for (const [outcome, tx] of [
      ['committed', afterCommit],
      ['rolled back', afterRollback!],
    ] as const) {
      const calls = {
        'users.create': () => tx.users.create({ email: `late-${outcome.replace(' ', '-')}@example.com` }),
        'tasks.create': () => tx.tasks.create(owner.id, { title: `late after ${outcome}` }),
        'users.get': () => tx.users.get(owner.id),
      };
      for (const [name, call] of Object.entries(calls)) {
        const error = await rejection(call());
        expect(error, `${name} after ${outcome}`).toBeInstanceOf(TransactionError);
        expect(error, `${name} after ${outcome}`).toMatchObject({ code: 'TRANSACTION_FINISHED' });
        expect((error as Error).message).toContain(outcome);
      }
      expect(await outside.users(`late-${outcome.replace(' ', '-')}@example.com`)).toBe(0);
    }
    expect(await outside.titles(owner.id)).toEqual([]);
  });

  it('a model call through a kept tx.transaction is refused, translateError says TRANSACTION_FINISHED, and it writes nothing', async () => {
    const owner = await t.db.users.create({ email: 'owner-models@example.com' });
    const kept = await t.db.transaction(async (tx) => ({ models: tx.models, transaction: tx.transaction }));
    // Model calls reject with Sequelize's errors; translateError gives tododb's.
    const error = translateError(
      await rejection(kept.models.Task.create({ userId: owner.id, title: 'late model' }, { transaction: kept.transaction })),
    );
    expect(error).toBeInstanceOf(TransactionError);
    expect(error).toMatchObject({ code: 'TRANSACTION_FINISHED' });
    expect(error.message).toContain('committed');
    expect(await outside.titles(owner.id)).toEqual([]);
  });

  it('a db.* call left running in the callback’s async context (a timer) rejects with TRANSACTION_FINISHED and writes nothing', async () => {
    const owner = await t.db.users.create({ email: 'owner-timer@example.com' });
    const finished = deferred();
    const late = deferred<unknown[]>();
    await t.db.transaction(async () => {
      // The timer's callback inherits the transaction's async context; it calls only once the
      // transaction has committed.
      setTimeout(async () => {
        await finished.promise;
        late.resolve([
          await t.db.tasks.create(owner.id, { title: 'from a timer' }).catch((error: unknown) => error),
          await t.db.models.Task.create({ userId: owner.id, title: 'model from a timer' }).catch((error: unknown) => error),
        ]);
      }, 0);
    });
    finished.resolve();
    for (const error of await late.promise) {
      expect(error).toBeInstanceOf(TransactionError);
      expect(error).toMatchObject({ code: 'TRANSACTION_FINISHED' });
    }
    expect(await outside.titles(owner.id)).toEqual([]);
    // Outside that context the handle works as ever.
    expect((await t.db.tasks.create(owner.id, { title: 'afterwards' })).title).toBe('afterwards');
  });
});

describe('nested db.transaction() is a savepoint', () => {
  const t = useTestDatabase();
  const outside = committed(() => t.testDb.url);

  it('an inner throw caught by the outer callback rolls back only the inner work', async () => {
    const inner = new Error('inner fails');
    const user = await t.db.transaction(async (tx) => {
      const created = await tx.users.create({ email: 'nested-inner-throw@example.com' });
      await tx.tasks.create(created.id, { title: 'outer before' });
      const caught = await rejection(
        t.db.transaction(async (nested) => {
          await nested.tasks.create(created.id, { title: 'inner' });
          await t.db.tasks.create(created.id, { title: 'inner via db' });
          throw inner;
        }),
      );
      expect(caught).toBe(inner);
      await tx.tasks.create(created.id, { title: 'outer after' });
      return created;
    });
    expect(await outside.titles(user.id)).toEqual(['outer after', 'outer before']);
  });

  it('inner success followed by an outer throw rolls back both', async () => {
    const outer = new Error('outer fails');
    let userId = '';
    let innerValue: unknown;
    await expect(
      t.db.transaction(async (tx) => {
        const created = await tx.users.create({ email: 'nested-outer-throw@example.com' });
        userId = created.id;
        innerValue = await t.db.transaction(async (nested) => {
          await nested.tasks.create(created.id, { title: 'inner' });
          return 'inner value';
        });
        throw outer;
      }),
    ).rejects.toBe(outer);
    expect(innerValue).toBe('inner value');
    expect(await outside.users('nested-outer-throw@example.com')).toBe(0);
    expect(await outside.titles(userId)).toEqual([]);
  });

  it('two nested transactions at once: the second is refused with TRANSACTION_MISUSE', async () => {
    const user = await t.db.users.create({ email: 'nested-two@example.com' });
    const started = await t.db.transaction(async () => {
      const outcomes = await Promise.allSettled([
        t.db.transaction(async (nested) => nested.tasks.create(user.id, { title: 'first nested' })),
        t.db.transaction(async (nested) => nested.tasks.create(user.id, { title: 'second nested' })),
      ]);
      return outcomes;
    });
    expect(started.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected']);
    const refused = (started[1] as PromiseRejectedResult).reason;
    expect(refused).toBeInstanceOf(TransactionError);
    expect(refused).toMatchObject({ code: 'TRANSACTION_MISUSE' });
    expect(await outside.titles(user.id)).toEqual(['first nested']);
  });

  it('a nested transaction started while another one waits is refused too', async () => {
    const user = await t.db.users.create({ email: 'nested-waiting@example.com' });
    await t.db.transaction(async () => {
      const release = deferred();
      const entered = deferred();
      const first = t.db.transaction(async (nested) => {
        await nested.tasks.create(user.id, { title: 'waiting nested' });
        entered.resolve();
        await release.promise;
      });
      await entered.promise;
      const refused = await rejection(t.db.transaction(async (nested) => nested.tasks.create(user.id, { title: 'refused nested' })));
      expect(refused).toMatchObject({ code: 'TRANSACTION_MISUSE' });
      release.resolve();
      await first;
    });
    expect(await outside.titles(user.id)).toEqual(['waiting nested']);
  });

  it('isolationLevel or retries on a nested one is refused with TRANSACTION_MISUSE, before any SQL: the outer one still commits', async () => {
    const user = await t.db.transaction(async (tx) => {
      const created = await tx.users.create({ email: 'nested-options@example.com' });
      let ran = 0;
      for (const options of [
        { isolationLevel: 'serializable' },
        { retries: 2 },
        { isolationLevel: 'read committed', retries: 1 },
      ] as TransactionOptions[]) {
        const refused = await rejection(
          t.db.transaction(async () => {
            ran += 1;
          }, options),
        );
        expect(refused, JSON.stringify(options)).toBeInstanceOf(TransactionError);
        expect(refused, JSON.stringify(options)).toMatchObject({ code: 'TRANSACTION_MISUSE' });
      }
      expect(ran).toBe(0);
      await tx.tasks.create(created.id, { title: 'outer kept' });
      return created;
    });
    expect(await outside.titles(user.id)).toEqual(['outer kept']);
  });
});

describe('a failed statement caught inside the callback', () => {
  const t = useTestDatabase();
  const outside = committed(() => t.testDb.url);

  it('makes db.transaction() reject with TRANSACTION_ABORTED, and nothing is committed', async () => {
    await t.db.users.create({ email: 'taken@example.com' });
    const error = await rejection(
      t.db.transaction(async (tx) => {
        await tx.users.create({ email: 'aborted@example.com' });
        // The error is swallowed; PostgreSQL has aborted the transaction all the same.
        await tx.users.create({ email: 'taken@example.com' }).catch(() => undefined);
        return 'carried on';
      }),
    );
    expect(error).toBeInstanceOf(TransactionError);
    expect(error).toMatchObject({ code: 'TRANSACTION_ABORTED' });
    expect(await outside.users('aborted@example.com')).toBe(0);
  });

  it('around a nested db.transaction() the same failure rolls back only the savepoint, and the rest commits', async () => {
    await t.db.users.create({ email: 'taken-too@example.com' });
    const user = await t.db.transaction(async (tx) => {
      const created = await tx.users.create({ email: 'savepoint-saves@example.com' });
      const conflict = await rejection(t.db.transaction(async (nested) => nested.users.create({ email: 'taken-too@example.com' })));
      expect(conflict).toMatchObject({ code: 'CONFLICT' });
      await tx.tasks.create(created.id, { title: 'after the conflict' });
      return created;
    });
    expect(await outside.titles(user.id)).toEqual(['after the conflict']);
  });
});

describe('isolation levels', () => {
  const t = useTestDatabase();

  it('runs each level as asked, read committed by default, and accepts Sequelize’s upper-case constants', async () => {
    const cases: [TransactionOptions | undefined, string][] = [
      [undefined, 'read committed'],
      [{ isolationLevel: 'read committed' }, 'read committed'],
      [{ isolationLevel: 'repeatable read' }, 'repeatable read'],
      [{ isolationLevel: 'serializable' }, 'serializable'],
      [{ isolationLevel: 'SERIALIZABLE' as TransactionOptions['isolationLevel'] }, 'serializable'],
    ];
    for (const [options, expected] of cases) {
      const seen = await t.db.transaction(async (tx) => {
        // The same answer through tx.transaction and through a model-layer query that joins on its own.
        const joined = await t.db.sequelize.query<{ transaction_isolation: string }>('SHOW transaction_isolation', {
          type: QueryTypes.SELECT,
        });
        return [await isolationOf(t.db, tx), joined[0]!.transaction_isolation];
      }, options);
      expect(seen, JSON.stringify(options)).toEqual([expected, expected]);
    }
  });

  it('refuses a bad isolationLevel or retries with a ConfigError naming the field, without the value, before any SQL', async () => {
    // Nothing listens on this port: an attempt to connect would fail with DatabaseUnavailableError.
    const unreachable = createDatabase({ url: `postgres://app:pw@127.0.0.1:${await freePort()}/app`, connectTimeoutMs: 2000 }, {});
    try {
      const cases: [unknown, string][] = [
        [{ isolationLevel: 'snapshot_MARKER' }, 'isolationLevel'],
        [{ isolationLevel: 'read uncommitted' }, 'isolationLevel'],
        [{ isolationLevel: 42 }, 'isolationLevel'],
        [{ isolationLevel: null }, 'isolationLevel'],
        [{ retries: -1 }, 'retries'],
        [{ retries: 1.5 }, 'retries'],
        [{ retries: '3' }, 'retries'],
        [{ retries: Number.NaN }, 'retries'],
        [{ retries: Number.POSITIVE_INFINITY }, 'retries'],
        [{ retries: 1000 }, 'retries'],
        ['serializable', 'options'],
      ];
      let ran = 0;
      for (const [options, field] of cases) {
        const label = JSON.stringify(options);
        const error = await rejection(
          unreachable.transaction(async () => {
            ran += 1;
          }, options as TransactionOptions),
        );
        expect(error, label).toBeInstanceOf(ConfigError);
        expect(error, label).toMatchObject({ code: 'CONFIG_INVALID', field });
        const message = (error as Error).message;
        expect(message, label).toContain(field === 'options' ? 'options' : `\`${field}\``);
        for (const value of ['MARKER', '1000', '1.5', '-1', 'NaN']) {
          if (label.includes(value)) expect(message, label).not.toContain(value);
        }
      }
      expect(ran).toBe(0);
      expect(unreachable.stats()).toMatchObject({ inUse: 0, idle: 0 });
    } finally {
      await unreachable.close();
    }
  });
});

describe('serialization failures and retries', () => {
  const t = useTestDatabase({ pool: { max: 4 } });
  const outside = committed(() => t.testDb.url);

  /**
   * Two transactions that each read a user's tasks and, finding none, add one: the classic
   * write skew. Both read before either writes (a barrier), so they really overlap; a run after a
   * retry passes the barrier at once. Returns how each ended and how often the callback ran.
   */
  async function writeSkew(email: string, options: TransactionOptions) {
    const user = await t.db.users.create({ email });
    let runs = 0;
    let arrived = 0;
    const bothRead = deferred();
    const attempt = () =>
      t.db.transaction(async (tx) => {
        runs += 1;
        const page = await tx.tasks.list(user.id);
        arrived += 1;
        if (arrived >= 2) bothRead.resolve();
        await bothRead.promise;
        if (page.items.length === 0) await tx.tasks.create(user.id, { title: 'the only one' });
      }, options);
    const outcomes = await Promise.allSettled([attempt(), attempt()]);
    return { outcomes, runs, titles: await outside.titles(user.id) };
  }

  it('the conflict is real: under read committed both transactions add a task', async () => {
    const { outcomes, titles } = await writeSkew('skew-read-committed@example.com', {});
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(titles).toEqual(['the only one', 'the only one']);
  });

  it('serializable without retries: one of the two fails with SerializationFailureError, and one task is kept', async () => {
    const { outcomes, runs, titles } = await writeSkew('skew-no-retries@example.com', { isolationLevel: 'serializable' });
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
    const failure = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected')!.reason;
    expect(failure).toBeInstanceOf(SerializationFailureError);
    expect(failure).toMatchObject({ code: 'SERIALIZATION_FAILURE' });
    expect(runs).toBe(2);
    expect(titles).toEqual(['the only one']);
  });

  it('serializable with retries: 3: both succeed, the loser’s callback ran again, and one task is kept', async () => {
    const { outcomes, runs, titles } = await writeSkew('skew-retries@example.com', { isolationLevel: 'serializable', retries: 3 });
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'fulfilled']);
    expect(runs).toBeGreaterThanOrEqual(3);
    expect(titles).toEqual(['the only one']);
    expect(t.db.stats()).toMatchObject({ inUse: 0, waiting: 0 });
  });
});

describe('a connection killed in the middle of a transaction', () => {
  const t = useTestDatabase({ pool: { max: 2 } });
  const outside = committed(() => t.testDb.url);

  it('fails the call with DatabaseUnavailableError, rejects with the callback’s error, keeps nothing, and the pool recovers', async () => {
    const owner = await t.db.users.create({ email: 'killed-owner@example.com' });
    let callError: unknown;
    const error = await rejection(
      t.db.transaction(async (tx) => {
        await tx.users.create({ email: 'half-written@example.com' });
        await tx.tasks.create(owner.id, { title: 'half written' });
        const backend = await t.db.sequelize.query<{ pid: number }>('SELECT pg_backend_pid() AS pid', {
          transaction: tx.transaction,
          type: QueryTypes.SELECT,
        });
        const pid = backend[0]!.pid;
        // From an admin connection; the second argument waits until the backend has gone.
        await admin(t.testDb.url, (client) => client.query('SELECT pg_terminate_backend($1, 10000)', [pid]));
        callError = await tx.tasks.create(owner.id, { title: 'after the kill' }).catch((caught: unknown) => caught);
        throw callError;
      }),
    );
    expect(callError).toBeInstanceOf(DatabaseUnavailableError);
    expect(error).toBe(callError);
    expect(await outside.users('half-written@example.com')).toBe(0);
    expect(await outside.titles(owner.id)).toEqual([]);

    // The dead connection is gone from the pool; the next calls get good ones.
    expect(t.db.stats()).toMatchObject({ inUse: 0, waiting: 0 });
    for (let i = 0; i < 3; i += 1) {
      await t.db.transaction(async (tx) => tx.tasks.create(owner.id, { title: `after ${i}` }));
    }
    await Promise.all([t.db.users.get(owner.id), t.db.tasks.list(owner.id), t.db.models.User.count()]);
    expect(await outside.titles(owner.id)).toEqual(['after 0', 'after 1', 'after 2']);
    expect(t.db.stats()).toMatchObject({ inUse: 0, waiting: 0 });
  });
});
