import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedServer } from './embeddedPostgres.js';
import { admin, withDatabase } from './globalSetup.js';
import { startWebSocketProxy, type WebSocketProxy } from './webSocketProxy.mjs';

/** How a role of the server authenticates: what Neon does, what self-hosted servers do, none. */
export type NeonAuth = 'password' | 'scram-sha-256' | 'trust';

/** The host name in the tests' URLs: the WebSocket proxy forwards every connection to the server anyway. */
export const NEON_HOST = 'ep-test-123456.neon.test';

export interface NeonTestServer {
  /** The password of every role, to look for in messages. */
  password: string;
  /** A URL of `database` as the driver sees it (through the proxy) for a role that authenticates with `auth`. */
  url(database: string, auth?: NeonAuth, password?: string): string;
  /** The server's superuser URL, straight over TCP (for set-up, and for `driver: 'pg'`). */
  adminUrl: string;
  /** The server's port on 127.0.0.1. */
  port: number;
  /** The WebSocket proxy in front of it. */
  proxy: WebSocketProxy;
  /** Creates an empty database and returns its name. */
  createDatabase(): Promise<string>;
  stop(): Promise<void>;
}

const ROLES: Record<NeonAuth, string> = { password: 'neon_password', 'scram-sha-256': 'neon_scram', trust: 'neon_trust' };

/**
 * A PostgreSQL of the test's own (embedded) behind a WebSocket-to-TCP proxy, as a Neon endpoint
 * is: one role per way of authenticating, each a superuser with the same random password, so
 * that a test picks the server's behaviour by the URL's user. The server on 5432 is never touched.
 */
export async function startNeonTestServer(): Promise<NeonTestServer> {
  const server: EmbeddedServer = await startEmbeddedPostgres({ authMethod: 'password' });
  const password = `pw_${randomBytes(8).toString('hex')}`;
  try {
    await admin(server.url, async (client) => {
      for (const role of Object.values(ROLES)) await client.query(`CREATE ROLE ${role} LOGIN SUPERUSER PASSWORD '${password}'`);
      // First match wins: the per-role lines go before initdb's (clear-text password for all).
      const { rows } = await client.query<{ hba_file: string }>('SHOW hba_file');
      const file = rows[0]!.hba_file;
      const lines = [`host all ${ROLES['scram-sha-256']} 127.0.0.1/32 scram-sha-256`, `host all ${ROLES.trust} 127.0.0.1/32 trust`];
      writeFileSync(file, `${lines.join('\n')}\n${readFileSync(file, 'utf8')}`);
      await client.query('SELECT pg_reload_conf()');
    });
    await reloaded(server.port);
  } catch (error) {
    await server.stop();
    throw error;
  }
  const proxy = await startWebSocketProxy({ host: '127.0.0.1', port: server.port });
  return {
    password,
    url(database, auth = 'password', secret = password) {
      return `postgres://${ROLES[auth]}:${encodeURIComponent(secret)}@${NEON_HOST}/${database}`;
    },
    adminUrl: server.url,
    port: server.port,
    proxy,
    async createDatabase() {
      const name = `neon_${randomBytes(6).toString('hex')}`;
      await admin(server.url, (client) => client.query(`CREATE DATABASE ${name}`));
      return name;
    },
    async stop() {
      await proxy.close();
      await server.stop();
    },
  };
}

// The postmaster reloads pg_hba.conf when it gets to the signal: wait until the trust line admits
// a client without a password.
async function reloaded(port: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const client = new pg.Client({ host: '127.0.0.1', port, user: ROLES.trust, database: 'postgres' });
    try {
      await client.connect();
      await client.end();
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
}

export { withDatabase };
