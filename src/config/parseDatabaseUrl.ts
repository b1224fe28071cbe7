import { ConfigError } from '../errors/errors.js';

/** What tododb takes from a `postgres://` URL. The password is kept only inside a function (see `password`). */
export interface ParsedDatabaseUrl {
  host: string;
  port: number;
  database: string;
  user: string;
  /**
   * Returns the password, or is undefined when the URL has none. A function rather than a field:
   * a property, even a hidden one, is printed by `util.inspect(…, { showHidden: true })`; a
   * closure is not. pg accepts it as its `password` option as it is.
   */
  readonly password: (() => string) | undefined;
  /** The URL's `sslmode`, when it has one. */
  sslmode: SslMode | undefined;
  /** `channel_binding=require`: the connection must authenticate with SCRAM-SHA-256-PLUS. */
  channelBinding: boolean;
  /** `sslnegotiation`: `direct` opens TLS at once, without PostgreSQL's SSLRequest (PostgreSQL 17+). */
  sslnegotiation: 'postgres' | 'direct' | undefined;
  /** `sslrootcert`: a file holding the CA certificate(s) to trust, or `system` for the system's CAs. */
  sslrootcert: string | undefined;
  /** `options`: server settings as libpq sends them, `-c name=value` each (checked, passed on as is). */
  options: string | undefined;
  applicationName: string | undefined;
  connectTimeoutMs: number | undefined;
  pgbouncer: boolean | undefined;
  /** `postgres://user:***@host:port/db`: safe to log. */
  redacted: string;
}

export type SslMode = 'disable' | 'allow' | 'prefer' | 'require' | 'verify-ca' | 'verify-full' | 'no-verify';

const SSL_MODES: readonly SslMode[] = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full', 'no-verify'];

// Parameters that libpq, Neon or PgBouncer tooling put into URLs and that tododb honours.
// Anything else is refused so that a typo is not silently ignored.
const KNOWN_PARAMS = new Set([
  'sslmode',
  'sslnegotiation',
  'sslrootcert',
  'channel_binding',
  'options',
  'host',
  'port',
  'application_name',
  'connect_timeout',
  'pgbouncer',
]);

// Settings tododb sends itself, from options of its own: set through `options` as well, one of
// the two would silently lose (the server applies `options` first, then the other startup
// parameters).
const OWN_SETTINGS: Record<string, string> = {
  statement_timeout: 'the `statementTimeoutMs` option',
  application_name: 'the `application_name` URL parameter or the `applicationName` option',
  client_encoding: 'nothing: tododb always talks UTF-8',
};

// Settings tododb's records depend on, refused with the reason.
const FIXED_SETTINGS: Record<string, string> = {
  datestyle: 'tododb reads timestamps in the ISO form, DateStyle ISO (the server default)',
};

/**
 * Parses a PostgreSQL connection URL. Errors name the part at fault and never echo the URL,
 * which may hold a password.
 */
export function parseDatabaseUrl(value: string, field = 'url'): ParsedDatabaseUrl {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(field, `Expected \`${field}\` to be a postgres:// URL, but it could not be parsed`);
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(field, `Expected \`${field}\` to be a postgres:// or postgresql:// URL, got protocol "${url.protocol}"`);
  }
  for (const key of url.searchParams.keys()) {
    if (!KNOWN_PARAMS.has(key)) {
      throw new ConfigError(field, `\`${field}\` has an unsupported query parameter "${key}" (supported: ${[...KNOWN_PARAMS].join(', ')})`);
    }
  }
  const params = url.searchParams;

  const host = decode(url.hostname, field, 'host') || params.get('host') || 'localhost';
  const portText = url.port || params.get('port') || '5432';
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ConfigError(field, `Expected the port in \`${field}\` to be an integer from 1 to 65535`);
  }
  const database = decode(url.pathname.replace(/^\//, ''), field, 'database name');
  if (database === '') {
    throw new ConfigError(field, `\`${field}\` names no database (expected postgres://user@host/database)`);
  }
  const user = decode(url.username, field, 'user name');
  if (user === '') {
    throw new ConfigError(field, `\`${field}\` names no user (expected postgres://user@host/database)`);
  }
  const password = url.password === '' ? undefined : decode(url.password, field, 'password');

  const sslmodeText = params.get('sslmode');
  if (sslmodeText !== null && !SSL_MODES.includes(sslmodeText as SslMode)) {
    throw new ConfigError(field, `\`${field}\` has an unknown sslmode (expected one of ${SSL_MODES.join(', ')})`);
  }
  const channelBindingText = params.get('channel_binding');
  if (channelBindingText !== null && !['disable', 'prefer', 'require'].includes(channelBindingText)) {
    throw new ConfigError(field, `\`${field}\` has an unknown channel_binding (expected disable, prefer or require)`);
  }
  const connectTimeoutText = params.get('connect_timeout');
  let connectTimeoutMs: number | undefined;
  if (connectTimeoutText !== null) {
    const seconds = Number(connectTimeoutText);
    if (!Number.isInteger(seconds) || seconds < 1) {
      throw new ConfigError(field, `Expected connect_timeout in \`${field}\` to be a positive whole number of seconds`);
    }
    connectTimeoutMs = seconds * 1000;
  }
  const sslnegotiationText = params.get('sslnegotiation');
  if (sslnegotiationText !== null && sslnegotiationText !== 'postgres' && sslnegotiationText !== 'direct') {
    throw new ConfigError(field, `\`${field}\` has an unknown sslnegotiation (expected postgres or direct)`);
  }
  const sslrootcert = params.get('sslrootcert');
  if (sslrootcert === '') {
    throw new ConfigError(field, `\`${field}\` has an empty sslrootcert (expected a file name, or system)`);
  }
  const options = params.get('options');
  if (options !== null) checkStartupOptions(options, field);
  const pgbouncerText = params.get('pgbouncer');
  if (pgbouncerText !== null && pgbouncerText !== 'true' && pgbouncerText !== 'false') {
    throw new ConfigError(field, `Expected pgbouncer in \`${field}\` to be true or false`);
  }

  const parsed: ParsedDatabaseUrl = {
    host,
    port,
    database,
    user,
    password: password === undefined ? undefined : () => password,
    sslmode: (sslmodeText ?? undefined) as SslMode | undefined,
    channelBinding: channelBindingText === 'require',
    sslnegotiation: (sslnegotiationText ?? undefined) as 'postgres' | 'direct' | undefined,
    sslrootcert: sslrootcert ?? undefined,
    options: options ?? undefined,
    applicationName: params.get('application_name') ?? undefined,
    connectTimeoutMs,
    pgbouncer: pgbouncerText === null ? undefined : pgbouncerText === 'true',
    redacted: redactUrl(value),
  };
  return parsed;
}

/**
 * Checks libpq's `options` parameter: whitespace-separated `-c name=value` (or `-cname=value`,
 * `--name=value`) switches, a backslash escaping the next character, as the server splits them.
 * Other server switches, Neon's `endpoint=` (not needed: pg sends the host name by SNI) and the
 * settings tododb sends itself or reads its records by (DateStyle) are refused. The error names a
 * setting, never a value.
 */
function checkStartupOptions(options: string, field: string): void {
  const words = options.match(/(?:\\.|[^\s\\])+/g) ?? [];
  if (words.length === 0) {
    throw new ConfigError(field, `\`${field}\` has an empty options parameter`);
  }
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    let setting: string | undefined;
    if (word === '-c') setting = words[++i];
    else if (word.startsWith('--')) setting = word.slice(2);
    else if (word.startsWith('-c')) setting = word.slice(2);
    const name = /^([A-Za-z_][\w.-]*)=/.exec(setting ?? '')?.[1];
    if (name === undefined) {
      throw new ConfigError(
        field,
        `\`${field}\` has options tododb cannot pass on: only -c name=value settings are supported (as in options=-c%20work_mem%3D64MB)`,
      );
    }
    // The server reads --some-name as some_name, and setting names regardless of case.
    const canonical = name.replaceAll('-', '_').toLowerCase();
    const instead = OWN_SETTINGS[canonical];
    if (instead !== undefined) {
      throw new ConfigError(field, `\`${field}\` sets ${canonical} in options, which tododb sets itself: use ${instead}`);
    }
    const reason = FIXED_SETTINGS[canonical];
    if (reason !== undefined) throw new ConfigError(field, `\`${field}\` sets ${canonical} in options: ${reason}`);
  }
}

/**
 * Returns the URL with its password replaced by `***` and its query dropped, for logs and
 * error messages. Returns `(unparseable URL)` for anything that is not a URL.
 */
export function redactUrl(value: string): string {
  try {
    const url = new URL(value);
    const auth = url.username ? `${url.username}${url.password ? ':***' : ''}@` : '';
    return `${url.protocol}//${auth}${url.host}${url.pathname}`;
  } catch {
    return '(unparseable URL)';
  }
}

function decode(text: string, field: string, part: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new ConfigError(field, `\`${field}\` has a malformed percent-encoding in its ${part}`);
  }
}
