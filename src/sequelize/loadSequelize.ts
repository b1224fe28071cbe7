import { createRequire } from 'node:module';
import type * as SequelizeCore from 'sequelize';
import type * as SequelizeTypescript from 'sequelize-typescript';

// Sequelize and sequelize-typescript are CommonJS packages, so both builds of tododb (ESM and
// CommonJS) can load them synchronously, on first use, with a require of their own: `db.models`
// and `db.sequelize` stay plain properties while a service-only process never loads them.
const requireLazily = createRequire(import.meta.url);

export interface SequelizeModules {
  core: typeof SequelizeCore;
  typescript: typeof SequelizeTypescript;
}

let loaded: SequelizeModules | undefined;

/** Loads Sequelize and sequelize-typescript once per process. */
export function loadSequelize(): SequelizeModules {
  if (!loaded) {
    // sequelize-typescript's decorators store their metadata with the Reflect metadata API.
    requireLazily('reflect-metadata');
    loaded = { core: requireLazily('sequelize'), typescript: requireLazily('sequelize-typescript') };
  }
  return loaded;
}
