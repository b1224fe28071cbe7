import type { Attributes } from '@opentelemetry/api';
import type { ResolvedConfig } from '../config/resolveConfig.js';

const cache = new WeakMap<ResolvedConfig, Readonly<Attributes>>();

/**
 * The attributes every span of a handle carries, after OpenTelemetry's conventions for
 * PostgreSQL clients: `db.namespace` is `{database}|{schema}` (tododb names its schema in every
 * statement, so it is known without asking the server), and the host and port, never the user,
 * the password or the URL.
 */
export function dbAttributes(config: ResolvedConfig): Readonly<Attributes> {
  let attributes = cache.get(config);
  if (!attributes) {
    attributes = Object.freeze({
      'db.system.name': 'postgresql',
      'db.namespace': `${config.connection.database}|${config.schema}`,
      'server.address': config.connection.host,
      'server.port': config.connection.port,
    });
    cache.set(config, attributes);
  }
  return attributes;
}
