// @ts-check
import { parseArgs } from 'node:util';
import { FAULTS } from './faults.mjs';

/**
 * @typedef {object} SoakOptions
 * @property {number} minutes  How long the load runs (the warm-up included).
 * @property {number} faultEverySeconds  One fault phase this long after another, each starting with its fault.
 * @property {number} rate  Requests started per second, whatever the answers do (an open loop).
 * @property {string[]} faults  The faults injected in turn, by name.
 */

const USAGE = `Usage: npm run soak -- [--minutes N] [--fault-every SECONDS] [--rate N] [--faults a,b,…]

  --minutes N            how long the load runs, warm-up included (default 5; SOAK_MINUTES)
  --fault-every SECONDS  a new fault every SECONDS (default 120; SOAK_FAULT_EVERY)
  --rate N               requests per second, an open loop (default 50; SOAK_RATE)
  --faults LIST          which faults, in turn (default all: ${FAULTS.map((fault) => fault.name).join(',')}; SOAK_FAULTS)`;

/** A command line the soak cannot run with; its message says which option and why. */
export class SoakUsageError extends Error {}

/**
 * Reads the soak's options from its arguments, then the environment, then the defaults.
 *
 * @param {string[]} argv
 * @param {Record<string, string | undefined>} env
 * @returns {SoakOptions | 'help'}
 */
export function parseSoakOptions(argv, env) {
  /** @type {{ values: Record<string, string | boolean | undefined> }} */
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        minutes: { type: 'string' },
        'fault-every': { type: 'string' },
        rate: { type: 'string' },
        faults: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    throw new SoakUsageError(`${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
  }
  if (parsed.values.help) return 'help';
  /** @type {Record<string, string>} */
  const given = {};
  for (const [name, value] of Object.entries(parsed.values)) if (typeof value === 'string') given[`--${name}`] = value;
  const minutes = positive('--minutes', given['--minutes'] ?? env.SOAK_MINUTES ?? '5');
  const faultEverySeconds = positive('--fault-every', given['--fault-every'] ?? env.SOAK_FAULT_EVERY ?? '120');
  const rate = positive('--rate', given['--rate'] ?? env.SOAK_RATE ?? '50');
  const faults = (given['--faults'] ?? env.SOAK_FAULTS ?? FAULTS.map((fault) => fault.name).join(','))
    .split(',')
    .map((name) => name.trim());
  for (const name of faults) {
    if (!FAULTS.some((fault) => fault.name === name)) {
      throw new SoakUsageError(
        `--faults: unknown fault ${JSON.stringify(name)}; expected some of ${FAULTS.map((fault) => fault.name).join(', ')}`,
      );
    }
  }
  if (faultEverySeconds < 10) throw new SoakUsageError('--fault-every: expected at least 10 seconds, so that each fault has time to heal');
  return { minutes, faultEverySeconds, rate, faults };
}

/** @param {string} name @param {string} text */
function positive(name, text) {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new SoakUsageError(`${name}: expected a positive number`);
  return value;
}

export { USAGE };
