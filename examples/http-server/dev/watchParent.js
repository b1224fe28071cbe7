// @ts-check

/**
 * Calls `onGone` once this process's parent has exited (checked every `intervalMs`).
 *
 * Why: `npm start` runs the server under `sh -c`, which dies on SIGTERM without passing it on,
 * so a process manager that stops `npm start` would leave the server running as an orphan.
 * A server you deploy is started by `node server.js` itself and gets its signals directly, so
 * it needs none of this.
 *
 * @param {() => void} onGone
 * @param {number} [intervalMs]
 */
export function watchParent(onGone, intervalMs = 500) {
  const parentPid = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parentPid) return;
    clearInterval(timer);
    onGone();
  }, intervalMs);
  timer.unref();
}
