// @ts-check

/** @typedef {{ id: string, userId: string, title: string, isCompleted: boolean, createdAt: Date }} TaskRecord */

/** A task as its owner last wrote it; after a write whose outcome is unknown, each state it may be in. */
export class TaskModel {
  /** @param {string} id @param {{ title: string, isCompleted: boolean }} state */
  constructor(id, state) {
    this.id = id;
    /** @type {{ title: string, isCompleted: boolean }[]} */
    this.states = [state];
    /** A delete failed with the database unavailable: it may or may not have happened. */
    this.maybeDeleted = false;
  }

  /** @param {TaskRecord} record */
  matches(record) {
    return this.states.some((state) => state.title === record.title && state.isCompleted === record.isCompleted);
  }

  /** A write whose outcome is unknown: the task may be in any of these states as well. @param {{ title: string, isCompleted: boolean }[]} states */
  mayBe(states) {
    for (const state of states) {
      if (!this.states.some((known) => known.title === state.title && known.isCompleted === state.isCompleted)) this.states.push(state);
    }
  }

  /** What the database answered is what the task is now. @param {TaskRecord} record */
  settle(record) {
    this.states = [{ title: record.title, isCompleted: record.isCompleted }];
    this.maybeDeleted = false;
  }
}
