import { readFileSync } from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import { ConfigError } from '../errors/errors.js';
import type { ParsedDatabaseUrl } from './parseDatabaseUrl.js';

/** The `ssl` setting as `createDatabase()` takes it. */
export type SslOption = boolean | 'no-verify' | ConnectionOptions;

/**
 * Resolves TLS: the `ssl` option, else the URL's `sslmode` (with `sslrootcert`), else
 * `DATABASE_SSL`, else off. `false` means no TLS; an object is what `tls.connect` gets.
 *
 * An explicit `ssl` option is used exactly as given: no URL parameter replaces or weakens it.
 * Every sslmode that asks for TLS verifies the certificate and the host name, stricter than
 * libpq for `prefer`, `require` and `verify-ca` (see the README); only `no-verify` (or the
 * option `'no-verify'`) encrypts without verifying. URL parameters that need TLS
 * (`channel_binding=require`, `sslnegotiation=direct`, `sslrootcert`) are a {@link ConfigError}
 * when TLS is off, as libpq refuses them too, instead of being ignored.
 *
 * @param urlField where the URL came from (`url` or `DATABASE_URL`), for error messages.
 */
export function resolveSsl(
  option: unknown,
  connection: ParsedDatabaseUrl,
  env: Record<string, string | undefined>,
  urlField: string,
): false | ConnectionOptions {
  const ssl = option !== undefined ? sslFromOption(option, 'ssl') : sslFromUrlOrEnv(connection, env, urlField);
  if (ssl === false) {
    const off =
      option !== undefined
        ? '`ssl: false`'
        : connection.sslmode !== undefined
          ? `sslmode=${connection.sslmode}`
          : 'the absence of an sslmode';
    const needsTls = (parameter: string) =>
      new ConfigError(urlField, `\`${urlField}\` has ${parameter}, which needs TLS, but ${off} turns TLS off: add sslmode=verify-full`);
    if (connection.channelBinding) throw needsTls('channel_binding=require');
    if (connection.sslnegotiation === 'direct') throw needsTls('sslnegotiation=direct');
  }
  return ssl;
}

function sslFromUrlOrEnv(
  connection: ParsedDatabaseUrl,
  env: Record<string, string | undefined>,
  urlField: string,
): false | ConnectionOptions {
  const ssl = sslFromModeOrEnv(connection, env);
  const rootCert = connection.sslrootcert;
  if (rootCert === undefined) return ssl;
  if (ssl === false || ssl.rejectUnauthorized === false) {
    // A CA that is never checked would read as protection that is not there.
    throw new ConfigError(
      urlField,
      `\`${urlField}\` has sslrootcert, but ${ssl === false ? 'TLS is off' : 'no-verify does not verify the certificate'}: use sslmode=verify-full with it`,
    );
  }
  // libpq's `system`: the system's CAs, which is what Node trusts by default.
  if (rootCert === 'system') return ssl;
  let ca: string;
  try {
    ca = readFileSync(rootCert, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new ConfigError(
      urlField,
      `Could not read the sslrootcert file named in \`${urlField}\`${typeof code === 'string' ? ` (${code})` : ''}`,
    );
  }
  return { ...ssl, ca };
}

function sslFromModeOrEnv(connection: ParsedDatabaseUrl, env: Record<string, string | undefined>): false | ConnectionOptions {
  // The URL's sslmode beats DATABASE_SSL, as every URL parameter beats the environment: a
  // Neon URL with sslmode=require must not be downgraded by a stray DATABASE_SSL=false.
  if (connection.sslmode === undefined) {
    const envSsl = env.DATABASE_SSL?.trim() ? env.DATABASE_SSL : undefined;
    if (envSsl !== undefined) {
      const mapped = ({ true: true, false: false, 'no-verify': 'no-verify' } as const)[envSsl as 'true' | 'false' | 'no-verify'];
      if (mapped === undefined) {
        throw new ConfigError('DATABASE_SSL', 'Expected `DATABASE_SSL` to be true, false or no-verify');
      }
      return sslFromOption(mapped, 'DATABASE_SSL');
    }
  }
  switch (connection.sslmode) {
    case undefined:
    case 'disable':
    case 'allow':
      return false;
    case 'no-verify':
      return { rejectUnauthorized: false };
    default:
      // prefer, require, verify-ca, verify-full: encrypt and verify the certificate and the
      // host name, never falling back to plain text. libpq's `require` encrypts without
      // verifying, which lets anyone on the path pose as the server; Neon's certificates are
      // publicly trusted, so its `sslmode=require` URLs verify as they are.
      return {};
  }
}

function sslFromOption(value: unknown, field: string): false | ConnectionOptions {
  if (value === false) return false;
  if (value === true) return {};
  if (value === 'no-verify') return { rejectUnauthorized: false };
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as ConnectionOptions;
  throw new ConfigError(field, `Expected \`${field}\` to be a boolean, 'no-verify' or a TLS options object`);
}
