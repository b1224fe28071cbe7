// @ts-check

/**
 * @typedef {object} Shutdown
 * @property {(name: string, close: () => Promise<unknown>) => void} add  Registers something to close, once it is started.
 * @property {(reason: string) => Promise<boolean>} run  Closes everything, last started first; true when all closed cleanly. Runs once.
 */

/**
 * Keeps what the server has started (embedded database, pool, HTTP server) so that shutdown
 * closes exactly that, in reverse order, whether it comes at the end of a normal run, from a
 * signal in the middle of starting, or after a failed start. Each step is logged with its
 * duration; a step that fails is logged and the others still run.
 *
 * @param {import('pino').Logger} logger
 * @returns {Shutdown}
 */
export function createShutdown(logger) {
  /** @type {{ name: string, close: () => Promise<unknown> }[]} */
  const steps = [];
  /** @type {Promise<boolean> | undefined} */
  let running;

  const closeAll = async (/** @type {string} */ reason) => {
    const started = performance.now();
    logger.info({ reason }, 'shutting down');
    let clean = true;
    for (const step of [...steps].reverse()) {
      const stepStarted = performance.now();
      try {
        await step.close();
        logger.info({ durationMs: Math.round(performance.now() - stepStarted) }, `closed ${step.name}`);
      } catch (error) {
        clean = false;
        logger.error({ err: error }, `closing ${step.name} failed`);
      }
    }
    logger.info({ durationMs: Math.round(performance.now() - started) }, 'shut down');
    return clean;
  };

  return {
    add(name, close) {
      steps.push({ name, close });
    },
    run(reason) {
      running ??= closeAll(reason);
      return running;
    },
  };
}
