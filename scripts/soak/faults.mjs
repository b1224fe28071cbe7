// @ts-check

/**
 * @typedef {object} FaultContext
 * @property {import('../../tests/support/faultProxy.mjs').FaultProxy} proxy  Between tododb and PostgreSQL.
 * @property {import('./soakDatabase.mjs').SoakDatabase} database  PostgreSQL itself.
 * @property {string} applicationName  tododb's connections carry it in pg_stat_activity.
 */

/**
 * @typedef {object} Fault
 * @property {string} name  As `--faults` spells it.
 * @property {string} what  One line for the report.
 * @property {number} holdSeconds  How long it lasts before it is healed (0: it is over once injected), at most a third of a phase.
 * @property {(context: FaultContext) => Promise<string>} inject  Resolves with a note for the report.
 * @property {(context: FaultContext) => void} heal
 */

const LATENCY_MS = 1_000;
const ACCEPT_DELAY_MS = 3_000;

/**
 * The faults, in the order the soak injects them. Each is something a service on a managed
 * PostgreSQL meets: a restart (a deploy, a failover, Neon suspending a compute), its idle
 * connections cut (idle_session_timeout, a pooler restart), a network path that swallows
 * packets, a slow link, and a database that is slow to take new connections.
 *
 * @type {readonly Fault[]}
 */
export const FAULTS = [
  {
    name: 'restart',
    what: 'PostgreSQL stopped (fast shutdown) and started again',
    holdSeconds: 0,
    async inject({ database }) {
      const downMs = await database.restart();
      return `down ${(downMs / 1000).toFixed(1)} s`;
    },
    heal() {},
  },
  {
    name: 'idle-kill',
    what: "pg_terminate_backend() of tododb's idle connections",
    holdSeconds: 0,
    async inject({ database, applicationName }) {
      return `${await database.terminateIdle(applicationName)} terminated`;
    },
    heal() {},
  },
  {
    name: 'black-hole',
    what: 'the proxy accepts connections and drops every byte',
    holdSeconds: 5,
    async inject({ proxy }) {
      proxy.blackHole();
      return '';
    },
    heal: ({ proxy }) => proxy.heal(),
  },
  {
    name: 'latency',
    what: `the proxy adds ${LATENCY_MS / 1000} s each way`,
    holdSeconds: 20,
    async inject({ proxy }) {
      proxy.addLatency(LATENCY_MS);
      return '';
    },
    heal: ({ proxy }) => proxy.heal(),
  },
  {
    name: 'slow-accept',
    what: `the proxy holds each new connection ${ACCEPT_DELAY_MS / 1000} s`,
    holdSeconds: 20,
    async inject({ proxy }) {
      proxy.delayAccept(ACCEPT_DELAY_MS);
      return '';
    },
    heal: ({ proxy }) => proxy.heal(),
  },
];
