import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';
import { createDatabase, createMigrator, grantApplicationRole, type Database, type DatabaseConfig } from '../../src/index.js';
import { admin, createTestDatabase, type TestDatabase } from './testDatabase.js';

/** A role made for a test, and how to log in as it. */
export interface Login {
  name: string;
  password: string;
}

/**
 * The production set-up of row-level security on a database of the test's own: an owner role
 * that owns the database, runs the migrations and so owns the tables, and an application role
 * (LOGIN, NOSUPERUSER, NOBYPASSRLS) given DML on them by `grantApplicationRole`. Roles live in
 * the whole server, which other test runs share: each has a name of this run's own and a
 * password (a trust server ignores it; the embedded one needs it), and `drop()` removes them.
 */
export interface TwoRoleDatabase {
  database: TestDatabase;
  owner: Login;
  app: Login;
  /** The database's URL, logged in as `login`. */
  urlAs(login: Login): string;
  /** A handle logged in as `login`; closed by `drop()`. */
  open(login: Login, config?: Omit<DatabaseConfig, 'url'>): Database;
  /** Another role of this run's own, LOGIN unless `attributes` (as in CREATE ROLE, e.g. `BYPASSRLS`) say NOLOGIN; dropped by `drop()`. */
  createRole(label: string, attributes?: string): Promise<Login>;
  /** Runs SQL as the server's superuser, in this database. */
  asSuperuser<T>(work: (client: pg.Client) => Promise<T>): Promise<T>;
  drop(): Promise<void>;
}

/** Creates a {@link TwoRoleDatabase}: roles, an empty database owned by the owner role, migrated and granted. */
export async function createTwoRoleDatabase(options: { schema?: string } = {}): Promise<TwoRoleDatabase> {
  const serverUrl = inject('serverUrl');
  const prefix = `tododb_rls_${randomBytes(5).toString('hex')}`;
  const roles: Login[] = [];
  const handles: Database[] = [];
  let database: TestDatabase | undefined;

  const createRole = async (label: string, attributes = ''): Promise<Login> => {
    const login = { name: `${prefix}_${label}`, password: randomBytes(12).toString('hex') };
    await admin(serverUrl, (client) =>
      client.query(
        `CREATE ROLE ${pg.escapeIdentifier(login.name)} ${/\bNOLOGIN\b/i.test(attributes) ? '' : 'LOGIN'} PASSWORD ${pg.escapeLiteral(login.password)} ${attributes}`,
      ),
    );
    roles.push(login);
    return login;
  };
  const urlAs = (login: Login): string => {
    const url = new URL(database!.url);
    url.username = login.name;
    url.password = login.password;
    return url.toString();
  };
  const open = (login: Login, config: Omit<DatabaseConfig, 'url'> = {}): Database => {
    const handle = createDatabase({ schema: options.schema, ...config, url: urlAs(login) }, {});
    handles.push(handle);
    return handle;
  };
  const drop = async (): Promise<void> => {
    await Promise.all(handles.splice(0).map((handle) => handle.close()));
    // The database first: it takes the grants to the roles with it, so that the roles can go.
    await database?.drop();
    for (const login of roles.splice(0).reverse()) {
      await admin(serverUrl, (client) => client.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(login.name)}`));
    }
  };

  try {
    const owner = await createRole('owner', 'NOSUPERUSER NOBYPASSRLS');
    const app = await createRole('app', 'NOSUPERUSER NOBYPASSRLS');
    database = await createTestDatabase({ migrated: false });
    const name = database.name;
    // On PostgreSQL 15 the schema public belongs to the database's owner, who may create in it.
    await admin(serverUrl, (client) =>
      client.query(`ALTER DATABASE ${pg.escapeIdentifier(name)} OWNER TO ${pg.escapeIdentifier(owner.name)}`),
    );
    const asOwner = open(owner);
    await createMigrator(asOwner).up();
    await grantApplicationRole(asOwner, app.name);
    const asSuperuser = <T>(work: (client: pg.Client) => Promise<T>): Promise<T> => {
      const url = new URL(serverUrl);
      url.pathname = `/${name}`;
      return admin(url.toString(), work);
    };
    return { database, owner, app, urlAs, open, createRole, asSuperuser, drop };
  } catch (error) {
    await drop().catch(() => {});
    throw error;
  }
}

/** {@link createTwoRoleDatabase} for the calling test file: made before its tests, dropped after them. */
export function useTwoRoleDatabase(options: { schema?: string } = {}): () => TwoRoleDatabase {
  let made: TwoRoleDatabase | undefined;
  beforeAll(async () => {
    made = await createTwoRoleDatabase(options);
  });
  afterAll(async () => {
    await made?.drop();
  });
  return () => {
    if (!made) throw new Error('useTwoRoleDatabase: the database exists only inside tests and hooks');
    return made;
  };
}
