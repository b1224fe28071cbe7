// @ts-check
import { TododbError } from '../../dist/index.js';
import { TaskModel } from './TaskModel.mjs';
import { VirtualUser } from './VirtualUser.mjs';

/** What a request may fail with while the database is unavailable: the soak expects these. */
const UNAVAILABLE_CODES = new Set(['DATABASE_UNAVAILABLE', 'QUERY_TIMEOUT']);

// The request mix, in percent: mostly reads, as a todo service sees.
const MIX = /** @type {const} */ ([
  ['createUser', 2],
  ['createTask', 20],
  ['listTasks', 30],
  ['getTask', 25],
  ['updateTask', 15],
  ['deleteTask', 5],
  ['otherUsersTask', 3],
]);
const TASKS_PER_USER = 10;

/** @typedef {'createUser' | 'createTask' | 'listTasks' | 'getTask' | 'updateTask' | 'deleteTask' | 'otherUsersTask'} Operation */
/** @typedef {{ ok: boolean, code?: string }} Outcome */
/** @typedef {{ operation: Operation, message: string }} Bug */

/**
 * The soak's load: virtual users, each with at most one request in flight, calling tododb's
 * service layer with a realistic mix, and checking every answer against what that user wrote.
 * A wrong answer (a task this user never wrote, another user's row, a write that vanished, an
 * error that is not a typed unavailability, a message with the password) is a bug, reported
 * through `onBug`; the database being unavailable is not.
 */
export class Workload {
  /**
   * @param {import('../../dist/index.js').Database} db
   * @param {{ runId: string, secrets: string[], maxUsers: number, onBug: (bug: Bug) => void }} options
   *   `maxUsers`: beyond it the soak forgets users, so that its own memory does not grow with its length.
   */
  constructor(db, { runId, secrets, maxUsers, onBug }) {
    this.db = db;
    this.maxUsers = maxUsers;
    this.runId = runId;
    this.secrets = secrets;
    this.onBug = onBug;
    /** @type {VirtualUser[]} */
    this.users = [];
    /** @type {VirtualUser[]} */
    this.idle = [];
    this.serial = 0;
  }

  /** Creates `count` users before the load starts; the database must be up. @param {number} count */
  async seed(count) {
    for (let i = 0; i < count; i += 1) {
      const user = new VirtualUser((await this.db.users.create({ email: this.newEmail() })).id);
      this.users.push(user);
      this.idle.push(user);
    }
  }

  /**
   * Runs one request of the mix for a user that has none in flight. Never rejects.
   *
   * @returns {Promise<Outcome & { operation: Operation | 'none' }>}
   */
  async request() {
    if (this.idle.length === 0) return { operation: 'none', ok: false, code: 'NO_IDLE_USER' };
    const user = /** @type {VirtualUser} */ (this.idle.splice(Math.floor(Math.random() * this.idle.length), 1)[0]);
    const operation = this.choose(user);
    try {
      return { operation, ...(await this[operation](user)) };
    } catch (error) {
      // A fault of the soak itself, not of tododb: report it as a bug so that it is seen.
      this.onBug({ operation, message: `the soak failed: ${error instanceof Error ? error.stack : String(error)}` });
      return { operation, ok: false, code: 'SOAK_ERROR' };
    } finally {
      this.idle.push(user);
    }
  }

  /** @param {VirtualUser} user @returns {Operation} */
  choose(user) {
    let pick = Math.random() * 100;
    /** @type {Operation} */
    let operation = 'listTasks';
    for (const [name, weight] of MIX) {
      pick -= weight;
      if (pick < 0) {
        operation = name;
        break;
      }
    }
    if (user.tasks.size === 0 && ['getTask', 'updateTask', 'deleteTask'].includes(operation)) return 'createTask';
    if (user.tasks.size >= TASKS_PER_USER && operation === 'createTask') return 'deleteTask';
    return operation;
  }

  newEmail() {
    this.serial += 1;
    // Mixed case and spaces: tododb must store it trimmed and lower-cased.
    return ` Soak-${this.runId}-${this.serial}@Example.com `;
  }

  /**
   * Calls tododb and sorts the answer: a value, NOT_FOUND (for the caller to judge), an expected
   * unavailability, or a bug (any other error, an untyped one, a message carrying a secret).
   *
   * @template T
   * @param {Operation} operation
   * @param {() => Promise<T>} call
   * @returns {Promise<{ ok: true, value: T } | { ok: false, code: string }>}
   */
  async call(operation, call) {
    try {
      return { ok: true, value: await call() };
    } catch (error) {
      const leaked = this.secrets.find((secret) => errorText(error).includes(secret));
      if (leaked !== undefined) this.onBug({ operation, message: 'an error message carries the password or the URL' });
      if (!(error instanceof TododbError)) {
        this.onBug({
          operation,
          message: `an untyped error: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
        });
        return { ok: false, code: 'UNTYPED' };
      }
      if (error.code !== 'NOT_FOUND' && !UNAVAILABLE_CODES.has(error.code)) {
        this.onBug({ operation, message: `an unexpected ${error.code}: ${error.message}` });
      }
      return { ok: false, code: error.code };
    }
  }

  /**
   * @param {Operation} operation
   * @param {boolean} right
   * @param {string} message
   */
  check(operation, right, message) {
    if (!right) this.onBug({ operation, message });
    return right;
  }

  /** @param {VirtualUser} _user @returns {Promise<Outcome>} */
  async createUser(_user) {
    const email = this.newEmail();
    const answer = await this.call('createUser', () => this.db.users.create({ email }));
    if (!answer.ok) return answer;
    this.check('createUser', answer.value.email === email.trim().toLowerCase(), 'a new user came back with another email');
    const created = new VirtualUser(answer.value.id);
    this.users.push(created);
    this.idle.push(created);
    if (this.users.length > this.maxUsers) this.forgetOneIdleUser();
    return { ok: true };
  }

  /** @param {VirtualUser} user @returns {Promise<Outcome>} */
  async createTask(user) {
    this.serial += 1;
    const title = `task ${this.runId}-${this.serial}`;
    const answer = await this.call('createTask', () => this.db.tasks.create(user.id, { title: `  ${title} ` }));
    if (!answer.ok) {
      if (answer.code === 'NOT_FOUND') this.check('createTask', false, 'a user that exists was not found');
      else user.addPendingTitle(title);
      return answer;
    }
    const task = answer.value;
    this.check(
      'createTask',
      task.userId === user.id && task.title === title && task.isCompleted === false,
      'a new task came back with another owner, title or state',
    );
    user.tasks.set(task.id, new TaskModel(task.id, { title, isCompleted: false }));
    return { ok: true };
  }

  /** @param {VirtualUser} user @returns {Promise<Outcome>} */
  async listTasks(user) {
    const answer = await this.call('listTasks', () => this.db.tasks.list(user.id, { limit: 20 }));
    if (!answer.ok) return answer;
    const { items, nextCursor } = answer.value;
    for (const [index, item] of items.entries()) {
      if (!this.check('listTasks', item.userId === user.id, "another user's task in this user's list")) continue;
      const previous = items[index - 1];
      this.check('listTasks', !previous || previous.createdAt >= item.createdAt, 'a list that is not newest first');
      const known = user.tasks.get(item.id);
      if (known) {
        if (this.check('listTasks', known.matches(item), 'a listed task is not as this user wrote it')) known.settle(item);
      } else if (user.pendingTitles.delete(item.title)) {
        // A create that failed while the database was unavailable had been applied after all.
        user.tasks.set(item.id, new TaskModel(item.id, { title: item.title, isCompleted: item.isCompleted }));
      } else {
        this.check('listTasks', false, 'a listed task that this user never wrote');
      }
    }
    if (nextCursor === null) {
      // The whole list was seen: it must hold every task this user has and did not delete.
      const listed = new Set(items.map((item) => item.id));
      for (const task of [...user.tasks.values()]) {
        if (listed.has(task.id)) continue;
        if (task.maybeDeleted) user.tasks.delete(task.id);
        else this.check('listTasks', false, 'a task this user wrote and never deleted is missing from the list');
      }
      user.pendingTitles.clear();
    }
    return { ok: true };
  }

  /** @param {VirtualUser} user @returns {Promise<Outcome>} */
  async getTask(user) {
    const task = /** @type {TaskModel} */ (user.randomTask());
    const answer = await this.call('getTask', () => this.db.tasks.get(user.id, task.id));
    if (answer.ok) {
      const right = answer.value.userId === user.id && answer.value.id === task.id && task.matches(answer.value);
      if (this.check('getTask', right, 'a task read back is not as this user wrote it')) task.settle(answer.value);
      return { ok: true };
    }
    return this.notFound('getTask', user, task, answer);
  }

  /** @param {VirtualUser} user @returns {Promise<Outcome>} */
  async updateTask(user) {
    const task = /** @type {TaskModel} */ (user.randomTask());
    this.serial += 1;
    const change = Math.random() < 0.5 ? { isCompleted: Math.random() < 0.5 } : { title: `renamed ${this.runId}-${this.serial}` };
    const answer = await this.call('updateTask', () => this.db.tasks.update(user.id, task.id, change));
    if (answer.ok) {
      const record = answer.value;
      const right =
        record.userId === user.id &&
        record.id === task.id &&
        Object.entries(change).every(([field, value]) => record[/** @type {'title'} */ (field)] === value);
      if (this.check('updateTask', right, 'an updated task came back without the change')) task.settle(record);
      return { ok: true };
    }
    if (answer.code !== 'NOT_FOUND') {
      // Applied or not, nobody knows: either state may be read back.
      task.mayBe(task.states.map((state) => ({ ...state, ...change })));
      return answer;
    }
    return this.notFound('updateTask', user, task, answer);
  }

  /** @param {VirtualUser} user @returns {Promise<Outcome>} */
  async deleteTask(user) {
    const task = /** @type {TaskModel} */ (user.randomTask());
    const answer = await this.call('deleteTask', () => this.db.tasks.delete(user.id, task.id));
    if (answer.ok) {
      user.tasks.delete(task.id);
      return { ok: true };
    }
    if (answer.code !== 'NOT_FOUND') {
      task.maybeDeleted = true;
      return answer;
    }
    return this.notFound('deleteTask', user, task, answer);
  }

  /** Reads or changes another user's task by its id: it must be not found, and stay unchanged. @param {VirtualUser} user @returns {Promise<Outcome>} */
  async otherUsersTask(user) {
    let owner;
    for (let tries = 0; tries < 5 && !owner; tries += 1) {
      const other = this.users[Math.floor(Math.random() * this.users.length)];
      if (other && other !== user && other.tasks.size > 0) owner = other;
    }
    const task = owner?.randomTask();
    if (!owner || !task) return this.listTasks(user);
    const write = Math.random() < 0.5;
    const answer = await this.call('otherUsersTask', () =>
      write ? this.db.tasks.update(user.id, task.id, { title: 'not yours' }) : this.db.tasks.get(user.id, task.id),
    );
    if (answer.ok) {
      this.check('otherUsersTask', false, write ? "a user changed another user's task" : "a user read another user's task");
      return { ok: false, code: 'WRONG_ANSWER' };
    }
    return answer.code === 'NOT_FOUND' ? { ok: true } : answer;
  }

  /**
   * NOT_FOUND for a task of the user's own: right only if a delete of it may have happened.
   *
   * @param {Operation} operation
   * @param {VirtualUser} user
   * @param {TaskModel} task
   * @param {{ ok: false, code: string }} answer
   * @returns {Outcome}
   */
  notFound(operation, user, task, answer) {
    if (answer.code !== 'NOT_FOUND') return answer;
    if (this.check(operation, task.maybeDeleted, 'a task this user wrote and never deleted is not found')) user.tasks.delete(task.id);
    return { ok: true };
  }

  forgetOneIdleUser() {
    const index = Math.floor(Math.random() * this.idle.length);
    const [user] = this.idle.splice(index, 1);
    this.users.splice(this.users.indexOf(/** @type {VirtualUser} */ (user)), 1);
  }
}

/** Everything of an error a log line could show: its messages, stacks and fields, down its causes. @param {unknown} error */
function errorText(error) {
  const parts = [];
  for (let current = error, depth = 0; current && depth < 5; current = /** @type {{ cause?: unknown }} */ (current).cause, depth += 1) {
    if (current instanceof Error) parts.push(current.message, current.stack ?? '');
    try {
      parts.push(JSON.stringify(current));
    } catch {
      parts.push(String(current));
    }
  }
  return parts.join('\n');
}
