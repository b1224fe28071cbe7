import type pg from 'pg';

// The one place that reaches into @neondatabase/serverless (1.x) beyond its documented API.
// `tests/neon.test.ts` checks each member on the installed version, so an upgrade that changes
// one fails loudly, by name.

/** The settings the driver reads per connection: `client.neonConfig`, over the global `neonConfig`. */
export interface NeonSettings {
  webSocketConstructor: unknown;
  useSecureWebSocket: boolean;
  forceDisablePgSSL: boolean;
  coalesceWrites: boolean;
  pipelineConnect: 'password' | false;
}

/** The package's global `neonConfig`: its settings, and `opts`, the ones the user has set. */
export interface NeonGlobalConfig extends NeonSettings {
  opts?: Record<string, unknown>;
}

/** What tododb uses of the package: pg-compatible classes and the global settings. */
export interface NeonModule {
  Pool: typeof pg.Pool;
  Client: typeof pg.Client;
  neonConfig: NeonGlobalConfig;
}

interface NeonSocket extends NeonSettings {
  ws?: { terminate?: () => void } | null;
  destroy(): void;
}

/** A client's own settings (the documented `client.neonConfig`, which is its socket). */
export function neonSettingsOf(client: pg.ClientBase): NeonSettings {
  return (client as unknown as { neonConfig: NeonSocket }).neonConfig;
}

/**
 * Whether the user set `name` on the global `neonConfig`. The getters cannot tell a value the
 * user chose from the default; the package keeps the chosen ones in `opts`.
 */
export function userHasSet(neonConfig: NeonGlobalConfig, name: keyof NeonSettings): boolean {
  // A version without `opts` gives no way to tell: then assume the user chose, and leave it.
  return typeof neonConfig.opts !== 'object' || neonConfig.opts === null || neonConfig.opts[name] !== undefined;
}

/**
 * Closes a client's WebSocket at once. The socket's own `destroy()` starts a closing handshake,
 * which a peer that stopped answering never completes (the `ws` package then waits 30 s): the
 * client would keep looking usable all that time.
 */
export function terminateWebSocket(client: pg.ClientBase): void {
  const socket = (client as unknown as { neonConfig?: NeonSocket }).neonConfig;
  if (!socket) return;
  if (typeof socket.ws?.terminate === 'function') socket.ws.terminate();
  else socket.destroy();
}

/** The members above, by name, for the test that guards them. */
export const NEON_INTERNALS = ['neonConfig.opts', 'client.neonConfig.ws.terminate'] as const;
