import type { ConnectionOptions } from 'node:tls';
import { ConfigError } from '../errors/errors.js';
import type { ParsedDatabaseUrl } from './parseDatabaseUrl.js';

/**
 * How tododb talks to PostgreSQL: `pg` over TCP, or `@neondatabase/serverless` over WebSockets
 * (an optional peer dependency, loaded only when chosen).
 */
export type DriverName = 'pg' | 'neon-serverless';

const DRIVERS: readonly DriverName[] = ['pg', 'neon-serverless'];

/** Where each part of the TLS setting came from, to name the right field in an error. */
export interface DriverSources {
  driver: unknown;
  env: Record<string, string | undefined>;
  connection: ParsedDatabaseUrl;
  ssl: false | ConnectionOptions;
  /** `ssl` when the option was given, else the URL's field when it has TLS parameters, else `DATABASE_SSL`. */
  sslField: string;
  urlField: string;
}

/**
 * Resolves the `driver` option (else `DATABASE_DRIVER`, else `pg`) and refuses the settings that
 * the WebSocket driver cannot honour, instead of silently dropping a protection the URL asks for:
 *
 * - `channel_binding=require`: the driver authenticates inside the WebSocket's TLS and cannot
 *   bind the password exchange to a PostgreSQL TLS certificate (it has no SCRAM-SHA-256-PLUS);
 * - TLS options (`ssl: { ca, … }`, `sslrootcert`, `no-verify`): they apply to `tls.connect`,
 *   which the driver never calls; the WebSocket (`wss://`) verifies with its own settings.
 */
export function resolveDriver(sources: DriverSources): DriverName {
  const { driver, env, connection, ssl, urlField } = sources;
  const field = driver !== undefined ? 'driver' : 'DATABASE_DRIVER';
  const value = driver ?? (env.DATABASE_DRIVER?.trim() || undefined) ?? 'pg';
  if (typeof value !== 'string' || !DRIVERS.includes(value as DriverName)) {
    throw new ConfigError(field, `Expected \`${field}\` to be 'pg' or 'neon-serverless'`);
  }
  if (value === 'pg') return 'pg';
  if (connection.channelBinding) {
    throw new ConfigError(
      urlField,
      `\`${urlField}\` has channel_binding=require, which the neon-serverless driver cannot honour (it authenticates inside the WebSocket's TLS, without SCRAM-SHA-256-PLUS): remove channel_binding=require from the URL, or use driver 'pg'`,
    );
  }
  if (ssl !== false && Object.keys(ssl).length > 0) {
    throw new ConfigError(
      sources.sslField,
      `\`${sources.sslField}\` sets TLS options (a CA, a client certificate or no-verify), which the neon-serverless driver cannot apply: its TLS is the WebSocket's (wss://), verified by the WebSocket constructor in neonConfig.webSocketConstructor. Use sslmode=require or verify-full without sslrootcert, or use driver 'pg'`,
    );
  }
  return 'neon-serverless';
}
