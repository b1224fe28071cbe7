import { createRequire } from 'node:module';
import pg from 'pg';
import type { DriverName } from '../config/resolveDriver.js';
import { ConfigError } from '../errors/errors.js';
import { applyNeonRules } from './applyNeonRules.js';
import type { ClientSettings } from './clientSettings.js';
import { terminateWebSocket, type NeonModule } from './neonInternals.js';
import { destroySocket } from './pgInternals.js';
import { requireChannelBinding } from './requireChannelBinding.js';

/**
 * The client class a handle's connections are made with, and what tododb does to each
 * connection of that driver: `pg`'s over TCP, or `@neondatabase/serverless`'s (pg-compatible)
 * over WebSockets. Both are pooled by pg-pool.
 */
export interface Driver {
  readonly name: DriverName;
  readonly Client: typeof pg.Client;
  /** Applies the driver's connection rules to a new client, before `connect()`. */
  prepareClient(client: pg.Client, settings: ClientSettings): void;
  /** Closes a client's transport at once, for a server that stopped answering. */
  destroySocket(client: pg.ClientBase): void;
}

/** The package users install for `driver: 'neon-serverless'`. */
export const NEON_MODULE = '@neondatabase/serverless';

/** `pg`'s driver, always there. */
export const PG_DRIVER: Driver = {
  name: 'pg',
  Client: pg.Client,
  prepareClient(client, settings) {
    if (settings.enableChannelBinding === true) requireChannelBinding(client);
  },
  destroySocket,
};

const requireLazily = createRequire(import.meta.url);

// The copy of the package that the application itself gets, so that the `neonConfig` it sets is
// the one tododb's connections read: an ES module and its CommonJS twin are two copies with two
// `neonConfig`s. tododb's ES module build (and its sources) import() the package; its CommonJS
// build, dist/index.cjs, require()s it.
const COMMON_JS = import.meta.url.endsWith('.cjs');

const loading = new Map<string, Promise<Driver>>();

/**
 * Throws a {@link ConfigError} on `driver` saying what to install when the driver's package
 * cannot be found, so that `createDatabase()` fails at once rather than at the first query.
 * `moduleId` replaces the package's name (for tests).
 */
export function requireDriverInstalled(name: DriverName, moduleId: string = NEON_MODULE): void {
  if (name === 'pg') return;
  try {
    requireLazily.resolve(moduleId);
  } catch (error) {
    throw notInstalled(error);
  }
}

/**
 * The driver named by the config. `@neondatabase/serverless` (and `ws`, when installed) is loaded
 * on first use, once per process, as the application loads it (see above); an application on
 * `pg` never needs it installed.
 */
export function loadDriver(name: DriverName, moduleId: string = NEON_MODULE): Promise<Driver> {
  if (name === 'pg') return Promise.resolve(PG_DRIVER);
  let driver = loading.get(moduleId);
  if (!driver) {
    driver = Promise.all([importModule(moduleId), importModule('ws').catch(() => undefined)]).then(
      ([neon, ws]) => neonDriver(checkNeon(neon), defaultExport(ws)),
      (error: unknown) => {
        throw (error as { code?: unknown }).code === 'MODULE_NOT_FOUND' || (error as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND'
          ? notInstalled(error)
          : error;
      },
    );
    // A failed load is not kept: the next connection tries again.
    driver.catch(() => loading.delete(moduleId));
    loading.set(moduleId, driver);
  }
  return driver;
}

function importModule(moduleId: string): Promise<unknown> {
  if (COMMON_JS) return new Promise((resolve) => resolve(requireLazily(moduleId)));
  return import(moduleId);
}

function notInstalled(cause: unknown): ConfigError {
  return new ConfigError(
    'driver',
    `driver 'neon-serverless' needs the package ${NEON_MODULE}, which is not installed: npm install ${NEON_MODULE} ws`,
    { cause },
  );
}

function checkNeon(module: unknown): NeonModule {
  const neon = module as Partial<NeonModule>;
  if (typeof neon.Client !== 'function' || neon.neonConfig == null) {
    throw new ConfigError(
      'driver',
      `driver 'neon-serverless' needs ${NEON_MODULE} 1.x, and the installed package has no Client and neonConfig: npm install ${NEON_MODULE}@1`,
    );
  }
  return neon as NeonModule;
}

// `ws` is CommonJS: import() gives its exports as `default`.
function defaultExport(module: unknown): unknown {
  if (module === undefined) return undefined;
  const namespace = module as { default?: unknown };
  return COMMON_JS || namespace.default === undefined ? module : namespace.default;
}

function neonDriver(neon: NeonModule, webSocket: unknown): Driver {
  return {
    name: 'neon-serverless',
    Client: neon.Client,
    prepareClient(client, settings) {
      applyNeonRules(client, settings, neon, webSocket);
    },
    destroySocket: terminateWebSocket,
  };
}
