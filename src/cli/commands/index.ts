import type { Command } from '../Command.js';
import { health } from './health.js';
import { migrateCreate } from './migrateCreate.js';
import { migrateDown } from './migrateDown.js';
import { migrateStatus } from './migrateStatus.js';
import { migrateUp } from './migrateUp.js';
import { rolesGrant } from './rolesGrant.js';

/** Every command of the CLI, in the order help lists them. A new command is a file in this folder and a line here. */
export const commands: readonly Command[] = [migrateUp, migrateDown, migrateStatus, migrateCreate, rolesGrant, health];
