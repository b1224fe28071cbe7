// @ts-check

// Titles of creates whose outcome is unknown, kept per user: the oldest are forgotten beyond this.
const MAX_PENDING_TITLES = 20;

/** A user of the service and what it wrote, so that every answer it reads can be checked. */
export class VirtualUser {
  /** @param {string} id */
  constructor(id) {
    this.id = id;
    /** @type {Map<string, import('./TaskModel.mjs').TaskModel>} */
    this.tasks = new Map();
    /** Titles of tasks whose create failed with the database unavailable: they may exist. */
    /** @type {Set<string>} */
    this.pendingTitles = new Set();
  }

  /** @returns {import('./TaskModel.mjs').TaskModel | undefined} */
  randomTask() {
    const ids = [...this.tasks.keys()];
    return ids.length === 0 ? undefined : this.tasks.get(/** @type {string} */ (ids[Math.floor(Math.random() * ids.length)]));
  }

  /** @param {string} title */
  addPendingTitle(title) {
    this.pendingTitles.add(title);
    if (this.pendingTitles.size > MAX_PENDING_TITLES)
      this.pendingTitles.delete(/** @type {string} */ (this.pendingTitles.values().next().value));
  }
}
