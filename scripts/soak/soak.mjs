// @ts-check
// The chaos soak (issue 12): tododb's service layer (the built dist/) under a steady load, on a
// PostgreSQL of its own behind a fault proxy, while faults are injected in turn. It prints, per
// fault phase and overall: the success ratio, the longest error streak, latencies, errors by
// code and the process's RSS at both ends.
//
//   npm run soak                                  # 5 minutes, one fault every 120 s
//   npm run soak -- --minutes 3 --fault-every 30  # a quick look at every fault
//   npm run soak -- --help
//   node --expose-gc --min-semi-space-size=16 scripts/soak/soak.mjs   # the same, without the build
//
// Exit code 0 however unavailable the database was; 1 for a crash or a bug (a wrong answer,
// another user's row, an untyped error, a message with the password, a call that never
// settles); 2 for a bad command line. Everything listens on 127.0.0.1 and stops by itself.
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { createDatabase, createMigrator } from '../../dist/index.js';
import { startFaultProxy } from '../../tests/support/faultProxy.mjs';
import { FAULTS } from './faults.mjs';
import { PhaseStats, sampleMemory } from './PhaseStats.mjs';
import { printReport } from './printReport.mjs';
import { startSoakDatabase } from './soakDatabase.mjs';
import { parseSoakOptions, SoakUsageError, USAGE } from './soakOptions.mjs';
import { Workload } from './Workload.mjs';

const APPLICATION_NAME = 'tododb_soak';
const WARM_UP_MS = 15_000;
// RSS grows for about a minute of load, to the process's working size, then stays: growth
// after that is what a leak would show (see printReport).
const SETTLED_AFTER_MS = 60_000;
// tododb bounds every wait (connect 10 s, acquire 15 s, query 20 s): a call still unsettled
// this long after the load stopped is a hang, which is a bug.
const DRAIN_MS = 60_000;
// The whole run, set-up and drain included, ends by this much after its planned length.
const WATCHDOG_SLACK_MS = 5 * 60_000;
const SHOWN_BUGS = 20;

let options;
try {
  options = parseSoakOptions(process.argv.slice(2), process.env);
} catch (error) {
  if (!(error instanceof SoakUsageError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(2);
}
if (options === 'help') {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const { minutes, faultEverySeconds, rate, faults: faultNames } = options;
// The memory figures need full collections (where the heap is measured), and V8's young
// generation at its full size from the start, so that V8 enlarging it under load is not read
// as the process growing: `npm run soak` passes both flags.
const memoryFlags = ['--expose-gc', '--min-semi-space-size=16'].filter((flag) => !process.execArgv.includes(flag));
if (memoryFlags.length > 0)
  process.stderr.write(`note: without node ${memoryFlags.join(' ')} (as npm run soak runs it) the RSS figures are not comparable\n`);
const runMs = minutes * 60_000;
const faults = faultNames.map((name) => /** @type {import('./faults.mjs').Fault} */ (FAULTS.find((fault) => fault.name === name)));

/** @type {{ operation: string, message: string }[]} */
const bugs = [];
let bugCount = 0;
const onBug = (/** @type {{ operation: string, message: string }} */ bug) => {
  bugCount += 1;
  if (bugs.length < SHOWN_BUGS) bugs.push(bug);
};

// A crash of the process under test is what the soak exists to find: report it, never hide it.
let crashed = false;
const crash = (/** @type {unknown} */ error) => {
  crashed = true;
  process.stderr.write(`CRASH: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
};
process.on('uncaughtException', crash);
process.on('unhandledRejection', crash);
const watchdog = setTimeout(() => {
  process.stderr.write('the soak did not finish in time: something hangs\n');
  process.exit(1);
}, runMs + WATCHDOG_SLACK_MS);

const database = await startSoakDatabase();
const proxy = await startFaultProxy({ target: { host: '127.0.0.1', port: database.port } });
// Ctrl-C: no report, but nothing left behind (the database and its data folder).
for (const signal of /** @type {const} */ (['SIGINT', 'SIGTERM'])) {
  process.once(signal, () => {
    process.stderr.write(`\n${signal}: stopping the soak's database\n`);
    void Promise.allSettled([proxy.close(), database.destroy()]).then(() => process.exit(130));
  });
}
const url = database.urlVia('127.0.0.1', proxy.port);
// tododb's defaults, as a service gets them, unless DATABASE_* variables say otherwise (the URL
// is always the proxy's): `DATABASE_POOL_MAX_WAITING=0 npm run soak` compares a setting.
const settings = { url, applicationName: APPLICATION_NAME };
const db = createDatabase(settings, process.env);
// The acquire timeout sizes the user pool below; tododb's default (README, Configuration) unless set.
const acquireTimeoutMs = Number(process.env.DATABASE_POOL_ACQUIRE_TIMEOUT_MS ?? 15_000);
const poolMax = db.stats().max;
const tuned = Object.keys(process.env).filter((name) => name.startsWith('DATABASE_') && name !== 'DATABASE_URL');
const context = { proxy, database, applicationName: APPLICATION_NAME };
const eventLoopDelay = monitorEventLoopDelay();
let exitCode = 0;
try {
  await createMigrator(db).up();
  // More users than can have a call in flight at once (every caller waiting out the acquire
  // timeout, plus one per connection), so that a request always finds a user with none in
  // flight, whatever the fault: each user's calls stay in order, and its answers checkable.
  const seedUsers = Math.ceil((rate * acquireTimeoutMs) / 1000) + poolMax + 50;
  const workload = new Workload(db, {
    runId: randomBytes(4).toString('hex'),
    secrets: [database.password(), url],
    maxUsers: 2 * seedUsers,
    onBug,
  });
  await workload.seed(seedUsers);

  const schedule = plan();
  const overall = new PhaseStats('overall');
  process.stdout.write(
    `tododb soak: ${minutes} min, ${rate} requests/s, a fault every ${faultEverySeconds} s (${faultNames.join(', ')}), load average ${loadavg()
      .map((n) => n.toFixed(2))
      .join(' ')}\n` +
      `pool.max ${poolMax}; ${tuned.length === 0 ? "tododb's defaults" : `set: ${tuned.map((name) => `${name}=${process.env[name]}`).join(', ')}`}\n\n`,
  );

  const startedAt = performance.now();
  let phase = /** @type {Phase} */ (schedule[0]);
  let launched = 0;
  let skipped = 0;
  /** @type {Set<Promise<void>>} */
  const inFlight = new Set();
  const launch = () => {
    const started = performance.now();
    const running = workload.request().then((outcome) => {
      if (outcome.operation === 'none') {
        skipped += 1;
        return;
      }
      // Counted in the phase it was answered in: a call caught by a fault at its start belongs to it.
      const answeredAt = performance.now();
      const result = { ...outcome, ms: answeredAt - started };
      phase.stats.record(result, answeredAt);
      if (phase.countsOverall) overall.record(result, answeredAt);
    });
    inFlight.add(running);
    void running.finally(() => inFlight.delete(running));
  };
  // An open loop: requests start at the planned rate whatever the answers do, as users arrive.
  const loader = setInterval(() => {
    const due = Math.min(Math.floor(((performance.now() - startedAt) / 1000) * rate), Math.floor((runMs / 1000) * rate));
    while (launched < due) {
      launched += 1;
      launch();
    }
  }, 10);
  eventLoopDelay.enable();

  for (const next of schedule) {
    await sleep(Math.max(0, startedAt + next.startMs - performance.now()));
    phase = next;
    // A full collection only where the run's heap is measured (after the warm-up, and at the
    // end): a forced one makes V8 give pages back, and RSS then creeps up again for a while.
    const measuresRun = next.countsOverall && !overall.memoryAtStart;
    next.stats.memoryAtStart = sampleMemory(measuresRun);
    if (measuresRun) overall.memoryAtStart = next.stats.memoryAtStart;
    if (next.fault) {
      const note = await next.fault.inject(context);
      // At most a third of a phase, and never past the phase's (or the run's) end.
      const holdMs = Math.max(
        0,
        Math.min(next.fault.holdSeconds * 1000, (faultEverySeconds * 1000) / 3, startedAt + next.endMs - performance.now()),
      );
      if (holdMs > 0) {
        await sleep(holdMs);
        next.fault.heal(context);
      }
      next.stats.note = [note, holdMs > 0 ? `held ${(holdMs / 1000).toFixed(0)} s` : ''].filter(Boolean).join(', ');
    }
    await sleep(Math.max(0, startedAt + next.endMs - performance.now()));
    next.stats.memoryAtEnd = sampleMemory(false);
  }
  clearInterval(loader);

  const drained = await Promise.race([Promise.all(inFlight).then(() => true), sleep(DRAIN_MS, false, { ref: false })]);
  if (!drained) onBug({ operation: 'any', message: `${inFlight.size} calls had not settled ${DRAIN_MS / 1000} s after the load stopped` });
  overall.memoryAtEnd = sampleMemory(true);
  eventLoopDelay.disable();

  printReport({
    phases: schedule.map((p) => ({ stats: p.stats, shortOfCapacity: p.fault?.name === 'latency' })),
    overall,
    settled: schedule.find((p) => p.startMs >= SETTLED_AFTER_MS)?.stats.memoryAtStart,
    write: (line) => process.stdout.write(`${line}\n`),
  });
  process.stdout.write(
    `\n${launched - skipped} requests (${skipped} not sent: every user had one in flight) in ${((performance.now() - startedAt) / 1000).toFixed(0)} s; event-loop delay p99 ${(eventLoopDelay.percentile(99) / 1e6).toFixed(0)} ms, max ${(eventLoopDelay.max / 1e6).toFixed(0)} ms; load average ${loadavg()
      .map((n) => n.toFixed(2))
      .join(' ')}\n`,
  );
  if (bugCount > 0) {
    exitCode = 1;
    process.stdout.write(`\n${bugCount} BUGS (wrong answers or untyped errors), the first ${bugs.length}:\n`);
    for (const bug of bugs) process.stdout.write(`  ${bug.operation}: ${bug.message}\n`);
  }
} finally {
  await db.close().catch(crash);
  await proxy.close();
  await database.destroy();
  clearTimeout(watchdog);
}
const failed = crashed || exitCode !== 0;
process.stdout.write(`\n${failed ? 'FAILED' : 'passed'}: ${bugCount} bugs, ${crashed ? 'a crash' : 'no crash'}\n`);
process.exitCode = failed ? 1 : 0;
// Everything is closed: the process must now exit by itself. A handle tododb left open would
// keep it alive, which the soak reports rather than waits out.
setTimeout(() => {
  process.stderr.write('the process did not exit after db.close(): a timer or socket is still open\n');
  process.exit(1);
}, 10_000).unref();

/**
 * @typedef {object} Phase
 * @property {number} startMs  From the start of the load.
 * @property {number} endMs
 * @property {import('./faults.mjs').Fault | undefined} fault  Injected as the phase starts.
 * @property {boolean} countsOverall  Every phase but the warm-up.
 * @property {PhaseStats} stats
 */

/** The warm-up, then one phase per fault, in turn, until the run's end. @returns {Phase[]} */
function plan() {
  const warmUpMs = Math.min(WARM_UP_MS, runMs / 10);
  /** @type {Phase[]} */
  const phases = [{ startMs: 0, endMs: warmUpMs, fault: undefined, countsOverall: false, stats: new PhaseStats('warm-up') }];
  for (let start = warmUpMs, k = 0; start < runMs - 1000; start += faultEverySeconds * 1000, k += 1) {
    const fault = /** @type {import('./faults.mjs').Fault} */ (faults[k % faults.length]);
    phases.push({
      startMs: start,
      endMs: Math.min(start + faultEverySeconds * 1000, runMs),
      fault,
      countsOverall: true,
      stats: new PhaseStats(`${k + 1} ${fault.name}`),
    });
  }
  return phases;
}
